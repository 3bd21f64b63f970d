namespace Foundry.Engine.Cleanup;

/// <summary>
/// Which resources must go before which: children before parents (model deployments before their account, secrets
/// and role assignments before the vault, anything before its resource group). Resources in one wave are independent
/// and can be deleted in parallel.
/// </summary>
public static class DeletionOrder
{
    /// <summary>The resources grouped into waves, first wave first.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Waves(IEnumerable<string> resourceIds)
    {
        var distinct = resourceIds.Select(id => id.TrimEnd('/')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return distinct
            .GroupBy(Rank)
            .OrderByDescending(g => g.Key)
            .Select(g => (IReadOnlyList<string>)g.OrderBy(id => id, StringComparer.OrdinalIgnoreCase).ToList())
            .ToList();
    }

    /// <summary>Higher ranks go first: extension resources (role assignments), then deeper children, then top-level resources, then groups.</summary>
    public static int Rank(string resourceId)
    {
        if (IsResourceGroup(resourceId)) return 0;
        var extension = resourceId.IndexOf("/providers/Microsoft.Authorization/", StringComparison.OrdinalIgnoreCase) >= 0 ? 100 : 0;
        var providersAt = resourceId.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        if (providersAt < 0) return 1 + extension;
        var segments = resourceId.Substring(providersAt + "/providers/".Length).Split('/').Length;
        // namespace/type/name = 3 segments for a top-level resource; each child adds two.
        return 1 + ((segments - 1) / 2) + extension;
    }

    private static bool IsResourceGroup(string resourceId)
    {
        var parts = resourceId.Trim('/').Split('/');
        return parts.Length == 4 && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase);
    }
}
