namespace Foundry.Emulator.Routing;

/// <summary>Small helpers over ARM ids: /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{child}/{name}].</summary>
public static class ResourceIds
{
    public static string ResourceGroupId(string subscriptionId, string resourceGroup) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}";

    public static string Resource(string subscriptionId, string resourceGroup, string providerType, string name) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/{providerType}/{name}";

    public static string? ResourceGroup(string resourceId)
    {
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < parts.Length; i++)
        {
            if (parts[i].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase)) return parts[i + 1];
        }
        return null;
    }

    public static string? Subscription(string resourceId)
    {
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) ? parts[1] : null;
    }

    /// <summary>"Microsoft.CognitiveServices/accounts/name" for the messages ARM writes.</summary>
    public static string TypeAndName(string resourceId)
    {
        var index = resourceId.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        return index < 0 ? resourceId : resourceId[(index + "/providers/".Length)..];
    }

    /// <summary>The id of the resource that contains this one (child → parent), or null at the top.</summary>
    public static string? Parent(string resourceId)
    {
        var index = resourceId.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        if (index < 0) return null;
        var segments = resourceId[(index + "/providers/".Length)..].Split('/');
        // namespace/type/name is a top-level resource; each further type/name pair is a child.
        return segments.Length <= 3 ? null : resourceId[..resourceId.LastIndexOf('/', resourceId.LastIndexOf('/') - 1)];
    }
}
