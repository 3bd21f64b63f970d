using System.Diagnostics;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Resources;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// Resource Graph lags Resource Manager under the realistic profile: a create, a tag change and a delete made with
/// Azure.ResourceManager's generic resources show at once on Resource Manager reads and only later in the Resource
/// Graph query the engine sends.
/// </summary>
public sealed class GraphLagConformanceTests(RealisticEmulatorFixture emulator) : IClassFixture<RealisticEmulatorFixture>
{
    private const string Url = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01";
    private static readonly TimeSpan MaxLag = RealisticEmulatorFixture.Profile.Local(RealisticEmulatorFixture.Profile.GraphIndexLagMax);
    private int queries;

    /// <summary>The resource's tags as Resource Graph shows them, or null when it shows no row (each query as its own principal: the quota is per principal).</summary>
    private async Task<Dictionary<string, string>?> GraphTagsAsync(string id)
    {
        using var http = emulator.Authorized($"graph-lag-{Interlocked.Increment(ref queries)}");
        var reply = await http.SendAsync(HttpMethod.Post, Url,
            $"{{\"subscriptions\":[\"{emulator.Subscription}\"],\"query\":\"Resources | where id =~ '{id}' | project id, tags\",\"options\":{{\"$top\":1000}}}}");
        Assert.Equal(200, reply.Status);
        var row = reply.Body!["data"]!.AsArray().SingleOrDefault();
        return row?["tags"]!.AsObject().ToDictionary(t => t.Key, t => t.Value!.GetValue<string>());
    }

    private async Task<TimeSpan> UntilGraphAsync(string id, Func<Dictionary<string, string>?, bool> shows)
    {
        var clock = Stopwatch.StartNew();
        while (!shows(await GraphTagsAsync(id)))
        {
            Assert.True(clock.Elapsed < MaxLag * 5, $"Resource Graph did not catch up within {clock.Elapsed}");
            await Task.Delay(50);
        }
        return clock.Elapsed;
    }

    [Fact]
    public async Task Creates_tag_changes_and_deletes_reach_Resource_Graph_late_while_Resource_Manager_reads_are_current()
    {
        var arm = emulator.CreateArmClient();
        var subscription = await arm.GetDefaultSubscriptionAsync();
        var group = (await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, "rg-graph-lag", new ResourceGroupData(AzureLocation.EastUS))).Value;
        var id = new ResourceIdentifier($"{group.Id}/providers/Microsoft.Storage/storageAccounts/stgraphlag1");

        var data = new GenericResourceData(AzureLocation.EastUS) { Tags = { ["foundry-env"] = "dev" } };
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, data);
        Assert.Equal("dev", (await arm.GetGenericResource(id).GetAsync()).Value.Data.Tags["foundry-env"]);
        Assert.Null(await GraphTagsAsync(id.ToString()));
        await UntilGraphAsync(id.ToString(), tags => tags is not null);

        data.Tags["foundry-env"] = "staging";
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, data);
        Assert.Equal("staging", (await arm.GetGenericResource(id).GetAsync()).Value.Data.Tags["foundry-env"]);
        Assert.Equal("dev", (await GraphTagsAsync(id.ToString()))!["foundry-env"]);
        await UntilGraphAsync(id.ToString(), tags => tags?["foundry-env"] == "staging");

        await arm.GetGenericResource(id).DeleteAsync(WaitUntil.Completed);
        Assert.Equal(404, (await Assert.ThrowsAsync<RequestFailedException>(() => arm.GetGenericResource(id).GetAsync())).Status);
        Assert.NotNull(await GraphTagsAsync(id.ToString()));
        var gone = await UntilGraphAsync(id.ToString(), tags => tags is null);
        Assert.True(gone <= MaxLag * 2, $"the delete took {gone} to reach Resource Graph (at most {MaxLag})");
    }

    [Fact]
    public async Task The_lag_of_a_change_lies_within_the_profile_bounds()
    {
        var arm = emulator.CreateArmClient();
        var subscription = await arm.GetDefaultSubscriptionAsync();
        var group = (await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, "rg-graph-bounds", new ResourceGroupData(AzureLocation.EastUS))).Value;
        var id = new ResourceIdentifier($"{group.Id}/providers/Microsoft.Storage/storageAccounts/stgraphbounds1");
        var before = emulator.Host.Cloud.Now;
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, new GenericResourceData(AzureLocation.EastUS));
        var after = emulator.Host.Cloud.Now;
        Assert.Null(await GraphTagsAsync(id.ToString()));
        await UntilGraphAsync(id.ToString(), tags => tags is not null);
        var seen = emulator.Host.Cloud.Now;
        var minLag = RealisticEmulatorFixture.Profile.Local(RealisticEmulatorFixture.Profile.GraphIndexLagMin);
        // The row appeared no sooner than the shortest lag after the create, and no later than the longest plus a poll.
        Assert.True(seen - before >= minLag, $"shown {seen - before} after the create began, sooner than {minLag}");
        Assert.True(seen - after <= MaxLag + TimeSpan.FromSeconds(1), $"shown {seen - after} after the create, later than {MaxLag}");
    }
}
