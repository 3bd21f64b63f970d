using Azure.Core;
using Foundry.Engine.Graph;
using Foundry.Engine.Groups;

namespace Foundry.Engine.Cleanup;

/// <summary>
/// What deleting a resource group would take with it. Deleting a group deletes everything inside, tagged or not, so
/// a managed group is deleted only when everything Resource Manager lists in it belongs with it (managed, and of the
/// group's environment and app); otherwise the group is kept and only the managed resources inside are deleted.
/// Resource Manager, not Resource Graph, is asked: Graph lags, and a resource created seconds ago must count.
/// </summary>
internal sealed class GroupContents
{
    private readonly EngineServices services;

    public GroupContents(EngineServices services) => this.services = services;

    /// <summary>What a cleanup of <paramref name="resourceIds"/> deletes, and the groups it keeps (with the reason).</summary>
    public async Task<(IReadOnlyList<string> ToDelete, IReadOnlyDictionary<string, string> Kept)> PlanAsync(IReadOnlyList<string> resourceIds, CancellationToken cancellationToken)
    {
        var toDelete = new List<string>(resourceIds);
        var known = new HashSet<string>(resourceIds.Select(id => id.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        var kept = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var groupId in resourceIds.Where(IsResourceGroup).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var id = new ResourceIdentifier(groupId);
            var group = await services.Groups.GetAsync(id.SubscriptionId!, id.ResourceGroupName!, cancellationToken).ConfigureAwait(false);
            // A group that is gone or not (any longer) managed is left to the per-resource re-check, which skips it.
            if (group is null || !IsManaged(group.Tags)) continue;
            var members = await services.Groups.ListResourcesAsync(id.SubscriptionId!, id.ResourceGroupName!, cancellationToken).ConfigureAwait(false);
            // The managed resources inside go even when the caller's list (from Resource Graph) missed them.
            foreach (var member in members.Where(m => Belongs(group.Tags, m.Tags) && known.Add(m.ResourceId.TrimEnd('/')))) toDelete.Add(member.ResourceId);
            if (Reason(group.Tags, members) is { } reason)
            {
                kept[groupId] = reason;
                toDelete.RemoveAll(d => d.TrimEnd('/').Equals(groupId.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
            }
        }
        return (toDelete, kept);
    }

    /// <summary>Why the group must stay (it holds something that does not belong with it), or null when it may go — asked again right before deleting it.</summary>
    public async Task<string?> ReasonToKeepAsync(string groupId, IReadOnlyDictionary<string, string> groupTags, CancellationToken cancellationToken)
    {
        var id = new ResourceIdentifier(groupId);
        var members = await services.Groups.ListResourcesAsync(id.SubscriptionId!, id.ResourceGroupName!, cancellationToken).ConfigureAwait(false);
        return Reason(groupTags, members);
    }

    public static bool IsResourceGroup(string resourceId) => DeletionOrder.Rank(resourceId) == 0;

    private static string? Reason(IReadOnlyDictionary<string, string> groupTags, IReadOnlyList<GroupMember> members)
    {
        var foreign = members.Where(m => !Belongs(groupTags, m.Tags)).Select(m => m.ResourceId).ToList();
        if (foreign.Count == 0) return null;
        var names = string.Join(", ", foreign.Take(5).Select(f => new ResourceIdentifier(f).Name)) + (foreign.Count > 5 ? $" and {foreign.Count - 5} more" : "");
        return $"kept: it holds {foreign.Count} resource(s) Foundry does not manage ({names}); deleting the group would delete them. Only the managed resources inside were deleted.";
    }

    private static bool IsManaged(IReadOnlyDictionary<string, string> tags) =>
        tags.TryGetValue(ManagedResourceQuery.ManagedTag, out var managed) && managed.Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Managed, and of the group's environment and app where the group names them (another environment's resource is not this group's to take).</summary>
    private static bool Belongs(IReadOnlyDictionary<string, string> groupTags, IReadOnlyDictionary<string, string> memberTags) =>
        IsManaged(memberTags) &&
        new[] { ManagedResourceQuery.EnvironmentTag, ManagedResourceQuery.AppTag }.All(tag =>
            !groupTags.TryGetValue(tag, out var wanted) || (memberTags.TryGetValue(tag, out var value) && value.Equals(wanted, StringComparison.OrdinalIgnoreCase)));
}
