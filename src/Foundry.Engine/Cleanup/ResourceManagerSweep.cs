using Azure.Core;
using Foundry.Engine.Graph;

namespace Foundry.Engine.Cleanup;

/// <summary>
/// The second witness of a verified cleanup. Resource Graph indexes a change 5–30 s after Resource Manager makes it, so
/// a resource created seconds ago is not in Graph yet and a Graph-only check would call the cleanup verified with it
/// still there. This lists the environment's resource groups (tagged foundry-managed, with this foundry-env or none:
/// a shared managed group) through Resource Manager, then the managed resources inside them that match the filter.
/// </summary>
internal sealed class ResourceManagerSweep
{
    private readonly EngineServices services;

    public ResourceManagerSweep(EngineServices services) => this.services = services;

    /// <summary>Managed resources that Resource Manager lists in the environment's groups of <paramref name="subscriptions"/>.</summary>
    public async Task<IReadOnlyList<GraphResource>> ManagedResourcesAsync(IEnumerable<string> subscriptions, string? environment, string? runId, CancellationToken cancellationToken)
    {
        var found = new List<GraphResource>();
        if (environment is null && runId is null) return found;   // no filter: nothing narrows which groups are the caller's
        foreach (var subscription in subscriptions.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var groups = await services.Groups.ListAsync(subscription, cancellationToken).ConfigureAwait(false);
            foreach (var group in groups.Where(g => IsManaged(g.Tags) && (environment is null || !g.Tags.ContainsKey(ManagedResourceQuery.EnvironmentTag) || Has(g.Tags, ManagedResourceQuery.EnvironmentTag, environment))))
            {
                var members = await services.Groups.ListResourcesAsync(subscription, group.Name, cancellationToken).ConfigureAwait(false);
                foreach (var member in members.Where(m => Matches(m.Tags, environment, runId)))
                {
                    var id = new ResourceIdentifier(member.ResourceId);
                    found.Add(new GraphResource(member.ResourceId, id.Name, id.ResourceType.ToString(), group.Name, group.Location, subscription, member.Tags));
                }
            }
        }
        return found;
    }

    /// <summary>Adds to <paramref name="remaining"/> what Resource Manager still lists and it does not hold yet.</summary>
    public async Task AddMissedAsync(List<GraphResource> remaining, IEnumerable<string> subscriptions, string? environment, string? runId, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(remaining.Select(r => r.ResourceId.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        foreach (var resource in await ManagedResourcesAsync(subscriptions, environment, runId, cancellationToken).ConfigureAwait(false))
        {
            if (known.Add(resource.ResourceId.TrimEnd('/'))) remaining.Add(resource);
        }
    }

    private static bool Matches(IReadOnlyDictionary<string, string> tags, string? environment, string? runId) =>
        IsManaged(tags) &&
        (environment is null || Has(tags, ManagedResourceQuery.EnvironmentTag, environment)) &&
        (runId is null || (tags.TryGetValue(ManagedResourceQuery.RunIdTag, out var run) && run == runId));

    private static bool IsManaged(IReadOnlyDictionary<string, string> tags) => Has(tags, ManagedResourceQuery.ManagedTag, "true");

    private static bool Has(IReadOnlyDictionary<string, string> tags, string name, string value) =>
        tags.TryGetValue(name, out var actual) && actual.Equals(value, StringComparison.OrdinalIgnoreCase);
}
