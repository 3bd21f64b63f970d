using Foundry.Emulator.ResourceGraph;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>Resource Graph: the recorded response shape, paging with $skipToken, quota headers and 429, parse errors.</summary>
public sealed class ResourceGraphConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Url = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01";

    [Fact]
    public async Task Pages_of_1000_with_skipToken_return_every_row_once_with_quota_headers()
    {
        var seeded = GraphSeed.Managed(emulator.Host, 2500, "pr-77");
        using var http = emulator.Authorized("graph-paging");
        var subscriptions = string.Join(",", emulator.Host.Subscriptions.Select(s => $"\"{s}\""));
        var query = "Resources | where tags['foundry-managed'] =~ 'true' and tags['foundry-env'] =~ 'pr-77' | project id, name, type, tags | order by id asc";
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var options = token is null ? "{\"$top\":1000}" : $"{{\"$top\":1000,\"$skipToken\":\"{token}\"}}";
            var reply = await http.SendAsync(HttpMethod.Post, Url, $"{{\"subscriptions\":[{subscriptions}],\"query\":\"{query}\",\"options\":{options}}}");
            Assert.Equal(200, reply.Status);
            Assert.Equal(2500, reply.Body!["totalRecords"]!.GetValue<int>());
            Assert.Equal("false", reply.Body["resultTruncated"]!.GetValue<string>());
            Assert.True(reply.Headers.Contains("x-ms-user-quota-remaining"));
            Assert.Matches(@"^\d\d:\d\d:\d\d$", reply.Headers.GetValues("x-ms-user-quota-resets-after").Single());
            seen.AddRange(reply.Body["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
            Assert.All(reply.Body["data"]!.AsArray(), r => Assert.Equal("microsoft.storage/storageaccounts", r!["type"]!.GetValue<string>()));
            token = reply.Body["$skipToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);
        Assert.Equal(3, pages);
        Assert.Equal(seeded.OrderBy(i => i, StringComparer.OrdinalIgnoreCase), seen);
    }

    [Fact]
    public async Task Too_many_queries_in_the_window_get_429_RateLimiting_with_Retry_After()
    {
        using var http = emulator.Authorized("graph-throttled");
        var body = $"{{\"subscriptions\":[\"{emulator.Subscription}\"],\"query\":\"Resources | project id\"}}";
        var statuses = new List<int>();
        RawArm.Reply? last = null;
        for (var i = 0; i < 16; i++)
        {
            last = await http.SendAsync(HttpMethod.Post, Url, body);
            statuses.Add(last.Status);
        }
        Assert.Equal(Enumerable.Repeat(200, 15).Append(429), statuses);
        Assert.Equal("RateLimiting", last!.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("0", last.Headers.GetValues("x-ms-user-quota-remaining").Single());
        Assert.True(int.Parse(last.Headers.GetValues("Retry-After").Single()) >= 1);
    }

    [Fact]
    public async Task A_malformed_query_gets_the_recorded_400_shape_and_a_stale_row_is_served_as_it_was()
    {
        using var http = emulator.Authorized("graph-errors");
        var bad = await http.SendAsync(HttpMethod.Post, Url, $"{{\"subscriptions\":[\"{emulator.Subscription}\"],\"query\":\"project id, location | where where\"}}");
        Assert.Equal(400, bad.Status);
        Assert.Equal("BadRequest", bad.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(new[] { "InvalidQuery", "ParserFailure" }, bad.Body["error"]!["details"]!.AsArray().Select(d => d!["code"]!.GetValue<string>()));
        Assert.Equal(400, (await http.SendAsync(HttpMethod.Post, Url, "{\"query\":")).Status);

        var id = GraphSeed.Managed(emulator.Host, 1, "pr-88").Single();
        lock (emulator.Host.Cloud.Sync)
        {
            var resource = emulator.Host.Cloud.State.Find(id)!;
            resource.StaleGraphRow = Foundry.Emulator.ResourceGraph.ResourceGraphArea.Row(resource, emulator.Host.TenantId);
            resource.Tags!.Remove("foundry-managed");
        }
        var stale = await http.SendAsync(HttpMethod.Post, Url, $"{{\"subscriptions\":[\"{emulator.Subscription}\"],\"query\":\"Resources | where tags['foundry-env'] == 'pr-88' and tags['foundry-managed'] =~ 'true' | project id\"}}");
        Assert.Equal(id, Assert.Single(stale.Body!["data"]!.AsArray())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_query_too_deep_or_too_long_is_the_recorded_400_and_the_emulator_keeps_answering()
    {
        var id = GraphSeed.Managed(emulator.Host, 1, "pr-89").Single(); // a row, so a predicate is evaluated at all
        string Body(string query) => new System.Text.Json.Nodes.JsonObject
        {
            ["subscriptions"] = new System.Text.Json.Nodes.JsonArray(emulator.Subscription),
            ["query"] = query,
        }.ToJsonString();
        var deep = "Resources | where " + new string('(', 100_000) + "name == 'x'" + new string(')', 100_000);
        var wide = "Resources | where " + string.Join(" or ", Enumerable.Repeat("name == 1", 200_000)); // 2.6 MB, under the 4 MB body limit
        var nots = "Resources | where " + string.Concat(Enumerable.Repeat("not ", 50_000)) + "name == 'x'";
        var calls = "Resources | where " + string.Concat(Enumerable.Repeat("tolower(", 50_000)) + "name" + new string(')', 50_000) + " == 'x'";
        // Short enough, but nested one level deeper than the bound.
        var deepShort = "Resources | where " + new string('(', KqlQuery.MaxNesting + 1) + "name == 'x'" + new string(')', KqlQuery.MaxNesting + 1);
        var callsShort = "Resources | where " + string.Concat(Enumerable.Repeat("tolower(", KqlQuery.MaxNesting + 1)) + "name" + new string(')', KqlQuery.MaxNesting + 1) + " == 'x'";
        foreach (var (query, index) in new[] { deep, wide, nots, calls, deepShort, callsShort }.Select((q, i) => (q, i)))
        {
            using var http = emulator.Authorized($"graph-complex-{index}");
            var refused = await http.SendAsync(HttpMethod.Post, Url, Body(query));
            Assert.Equal(400, refused.Status);
            Assert.Equal("BadRequest", refused.Body!["error"]!["code"]!.GetValue<string>());
            Assert.Equal("InvalidQuery", refused.Body["error"]!["details"]![0]!["code"]!.GetValue<string>());
        }

        // Within the bounds, long and/or chains and nesting still answer (evaluated in a loop, not by recursion).
        using var client = emulator.Authorized("graph-complex-ok");
        var terms = string.Join(" or ", Enumerable.Repeat("name == 'x'", 2_000).Append($"id =~ '{id}'"));
        var nested = new string('(', KqlQuery.MaxNesting - 1) + $"id =~ '{id}'" + new string(')', KqlQuery.MaxNesting - 1);
        foreach (var query in new[] { $"Resources | where {terms} | project id", $"Resources | where {nested} and not (name == 'x') | project id" })
        {
            var answered = await client.SendAsync(HttpMethod.Post, Url, Body(query));
            Assert.Equal(200, answered.Status);
            Assert.Equal(id, Assert.Single(answered.Body!["data"]!.AsArray())!["id"]!.GetValue<string>());
        }
    }
}
