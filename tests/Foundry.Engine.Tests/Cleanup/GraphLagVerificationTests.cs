using Foundry.Emulator;
using Foundry.Emulator.Realism;
using Foundry.Engine.Cleanup;
using Foundry.Engine.Environments;
using Foundry.Engine.Graph;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Cleanup;

/// <summary>
/// A verified cleanup under Resource Graph's index lag (the realistic profile: 5–30 s in Azure, here 0.5–3 s): a managed
/// resource created a moment ago is in Resource Manager but not yet in Graph, and the verification must still see it.
/// </summary>
public sealed class GraphLagVerificationTests
{
    // Only Graph's lag matters here; scale 0.1 keeps the lag (≥ 0.5 s) well above the few requests the check makes.
    private static EmulatorOptions GraphLagging() => new()
    {
        Realism = RealismProfile.Realistic(0.1) with { RoleAssignmentPropagation = TimeSpan.Zero, SecretDeletion = TimeSpan.Zero, SecretPurge = TimeSpan.Zero, VaultPurge = TimeSpan.Zero },
    };

    private static async Task<string> CreateManagedAccountAsync(LocalCloud cloud, string name)
    {
        using var http = cloud.Http();
        Assert.True((await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourcegroups/rg-contoso-pr-9?api-version=2025-04-01",
            LocalCloud.Json("{\"location\":\"eastus\",\"tags\":{\"foundry-managed\":\"true\",\"foundry-env\":\"pr-9\"}}"))).IsSuccessStatusCode);
        var id = $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-contoso-pr-9/providers/Microsoft.Storage/storageAccounts/{name}";
        var created = await http.PutAsync($"{id}?api-version=2023-05-01",
            LocalCloud.Json("{\"location\":\"eastus\",\"tags\":{\"foundry-managed\":\"true\",\"foundry-env\":\"pr-9\"},\"properties\":{}}"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return id;
    }

    [Fact]
    public async Task Test_cleanup_reports_a_resource_created_seconds_ago_that_Resource_Graph_has_not_indexed()
    {
        await using var scope = await LocalCloudScope.StartAsync(GraphLagging());
        var cloud = scope.Value;
        var query = new GraphQuery(ManagedResourceQuery.Build("pr-9"), new[] { cloud.Subscription });
        var id = await CreateManagedAccountAsync(cloud, "stjustmade");
        var graph = await cloud.Services.Graph.QueryPageAsync(query, null, CancellationToken.None);
        Assert.Empty(graph.Items);   // the premise: Graph has not caught up

        var report = await new ManagedResourceCleaner(cloud.Services).VerifyAsync(query, "pr-9", null, CancellationToken.None);

        Assert.Equal("VerificationFailed", report.Status);
        Assert.Equal(id, Assert.Single(report.Remaining).ResourceId, ignoreCase: true);
    }

    [Fact]
    public async Task Remove_managed_resources_by_environment_does_not_call_verified_what_Graph_missed()
    {
        await using var scope = await LocalCloudScope.StartAsync(GraphLagging());
        var cloud = scope.Value;
        var indexed = await CreateManagedAccountAsync(cloud, "stindexed");
        // What the cmdlet's Graph listing would return once the first account is indexed; the second is made just after.
        var query = new GraphQuery(ManagedResourceQuery.Build("pr-9"), new[] { cloud.Subscription });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await cloud.Services.Graph.QueryPageAsync(query, null, CancellationToken.None)).Items.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var missed = await CreateManagedAccountAsync(cloud, "stjustmade");

        var report = await new ManagedResourceCleaner(cloud.Services).DeleteAsync(new[] { indexed }, CleanupOptions.Default, "pr-9", null, _ => { }, NullReporter.Instance, CancellationToken.None);

        Assert.Equal("deleted", Assert.Single(report.Deletions).Status);
        Assert.Equal("VerificationFailed", report.Status);
        Assert.Equal(missed, Assert.Single(report.Remaining).ResourceId, ignoreCase: true);
    }
}
