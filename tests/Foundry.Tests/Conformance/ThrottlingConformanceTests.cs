using Azure;
using Azure.Core;
using Azure.ResourceManager.Resources;
using Foundry.Emulator;
using Foundry.Emulator.Throttling;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>An emulator whose Resource Manager buckets are tiny (reads 4, writes 2, refilling 2 tokens a second) and whose Graph quota is 3 per window.</summary>
public sealed class ThrottledEmulatorFixture : EmulatorFixture
{
    public static readonly ThrottlingLimits Limits = ThrottlingLimits.Azure() with
    {
        Reads = new BucketSize(4, 2),
        Writes = new BucketSize(2, 2),
        Deletes = new BucketSize(2, 2),
        GraphQueriesPerWindow = 3,
    };

    protected override EmulatorOptions Options() => new() { Throttling = Limits };
}

/// <summary>
/// Resource Manager's token buckets (per subscription or tenant, per principal, per kind) with their remaining-tokens
/// headers and 429 + Retry-After, and the official ArmClient waiting a 429 out and completing.
/// </summary>
public sealed class ThrottlingConformanceTests(ThrottledEmulatorFixture emulator) : IClassFixture<ThrottledEmulatorFixture>
{
    private string Groups => $"/subscriptions/{emulator.Subscription}/resourcegroups?api-version=2025-04-01";

    [Fact]
    public async Task Reads_count_down_in_the_header_then_an_empty_bucket_answers_429_with_Retry_After()
    {
        using var http = emulator.Authorized("throttle-reads");
        var remaining = new List<string>();
        RawArm.Reply reply;
        do
        {
            reply = await http.SendAsync(HttpMethod.Get, Groups);
            remaining.Add(reply.Headers.GetValues("x-ms-ratelimit-remaining-subscription-reads").Single());
        }
        while (reply.Status == 200 && remaining.Count < 20);

        // Four tokens, then empty: the first remaining counts are 3, 2, 1, 0 (a token may refill in between on a slow machine).
        Assert.Equal(429, reply.Status);
        Assert.Equal("3", remaining[0]);
        Assert.Equal("0", remaining[^1]);
        Assert.InRange(remaining.Count, 5, 8);
        Assert.Equal("SubscriptionRequestsThrottled", reply.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("throttle-reads", reply.Body["error"]!["message"]!.GetValue<string>());
        Assert.Equal("1", reply.Headers.GetValues("Retry-After").Single());

        // Another principal has its own bucket; writes are metered apart from reads.
        using var other = emulator.Authorized("throttle-someone-else");
        Assert.Equal(200, (await other.SendAsync(HttpMethod.Get, Groups)).Status);
        var write = await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-throttle-w?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        Assert.Equal(201, write.Status);
        Assert.Equal("1", write.Headers.GetValues("x-ms-ratelimit-remaining-subscription-writes").Single());

        // A token refills in half a second (2 a second): after Retry-After the read is served again.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Get, Groups)).Status);
    }

    [Fact]
    public async Task Tenant_level_reads_have_their_own_bucket_and_header()
    {
        using var http = emulator.Authorized("throttle-tenant");
        var statuses = new List<int>();
        RawArm.Reply? last = null;
        for (var i = 0; i < 6; i++)
        {
            last = await http.SendAsync(HttpMethod.Get, "/subscriptions?api-version=2022-12-01");
            statuses.Add(last.Status);
        }
        Assert.Contains(429, statuses);
        Assert.Equal("TenantRequestsThrottled", last!.Body!["error"]!["code"]!.GetValue<string>());
        Assert.True(last.Headers.Contains("x-ms-ratelimit-remaining-tenant-reads"));
        // The subscription bucket of the same principal is untouched.
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Get, Groups)).Status);
    }

    [Fact]
    public async Task The_official_ArmClient_honours_429_and_Retry_After_and_completes_every_call()
    {
        var arm = emulator.CreateArmClient("throttle-sdk");
        var subscription = await arm.GetDefaultSubscriptionAsync();
        var names = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var group = await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, $"rg-throttle-sdk-{i}", new ResourceGroupData(AzureLocation.EastUS));
            names.Add(group.Value.Data.Name);
        }
        Assert.Equal(8, names.Count);
        var throttled = emulator.Host.Cloud.Log.All.Count(r => r.Principal == "throttle-sdk" && r.Status == 429);
        var served = emulator.Host.Cloud.Log.All.Count(r => r.Principal == "throttle-sdk" && r.Method == "PUT" && r.Status is 200 or 201);
        Assert.True(throttled >= 1, "eight writes against a bucket of two must have been throttled at least once");
        Assert.Equal(8, served);
    }

    [Fact]
    public async Task Resource_Graph_quota_is_configurable_and_answers_429_with_the_quota_headers()
    {
        using var http = emulator.Authorized("throttle-graph");
        var body = $"{{\"subscriptions\":[\"{emulator.Subscription}\"],\"query\":\"Resources | project id\"}}";
        var statuses = new List<int>();
        RawArm.Reply? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await http.SendAsync(HttpMethod.Post, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", body);
            statuses.Add(last.Status);
        }
        Assert.Equal(new[] { 200, 200, 200, 429 }, statuses);
        Assert.Equal("0", last!.Headers.GetValues("x-ms-user-quota-remaining").Single());
        Assert.Matches(@"^00:00:0\d$", last.Headers.GetValues("x-ms-user-quota-resets-after").Single());
    }
}

/// <summary>The fast profile does not throttle but reports Azure's bucket sizes (less the request) on every response.</summary>
public sealed class UnthrottledHeaderTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Every_Resource_Manager_response_carries_the_remaining_tokens_of_its_kind()
    {
        using var http = emulator.Authorized("headers");
        var read = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/resourcegroups?api-version=2025-04-01");
        Assert.Equal("249", read.Headers.GetValues("x-ms-ratelimit-remaining-subscription-reads").Single());
        var write = await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-headers?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        Assert.Equal("199", write.Headers.GetValues("x-ms-ratelimit-remaining-subscription-writes").Single());
        var delete = await http.SendAsync(HttpMethod.Delete, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-headers?api-version=2025-04-01");
        Assert.Equal("199", delete.Headers.GetValues("x-ms-ratelimit-remaining-subscription-deletes").Single());
        var missing = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-none?api-version=2025-04-01");
        Assert.Equal(404, missing.Status);
        Assert.True(missing.Headers.Contains("x-ms-ratelimit-remaining-subscription-reads"));
        // A Resource Graph query is a tenant-level read, as the recorded answers show.
        var graph = await http.SendAsync(HttpMethod.Post, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", "{\"query\":\"Resources | project id\"}");
        Assert.True(graph.Headers.Contains("x-ms-ratelimit-remaining-tenant-reads"));
    }
}
