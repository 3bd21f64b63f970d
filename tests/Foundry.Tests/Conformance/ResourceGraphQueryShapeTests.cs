using System.Text.Json.Nodes;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// Resource Graph answers as the recordings and the REST spec's examples show them: a query may start with an operator
/// (table Resources), the recorded malformed query's ParserFailure position, limit/take answered in one page, facets
/// (the spec's Facet Query example) and options.resultFormat table.
/// </summary>
public sealed class ResourceGraphQueryShapeTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Url = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01";

    private List<string> Seed(string environment, int count)
    {
        var ids = GraphSeed.Managed(emulator.Host, count, environment);
        lock (emulator.Host.Cloud.Sync)
        {
            var locations = new[] { "eastus", "eastus", "westus", "swedencentral" };
            for (var i = 0; i < ids.Count; i++)
            {
                var resource = emulator.Host.Cloud.State.Find(ids[i])!;
                resource.Location = locations[i % locations.Length];
                resource.Properties["accessTier"] = i % 2 == 0 ? "Hot" : "Cool";
            }
        }
        return ids;
    }

    private async Task<RawArm.Reply> QueryAsync(string principal, string query, string? options = null, string? facets = null)
    {
        using var http = emulator.Authorized(principal);
        var body = new JsonObject { ["subscriptions"] = new JsonArray(emulator.Host.Subscriptions.Select(s => (JsonNode)s).ToArray()), ["query"] = query };
        if (options is not null) body["options"] = JsonNode.Parse(options);
        if (facets is not null) body["facets"] = JsonNode.Parse(facets);
        return await http.SendAsync(HttpMethod.Post, Url, body.ToJsonString());
    }

    [Fact]
    public async Task A_query_that_starts_with_an_operator_runs_against_Resources()
    {
        var ids = Seed("pr-op", 3);
        var reply = await QueryAsync("graph-op", "where tags['foundry-env'] == 'pr-op' | project id | order by id asc");
        Assert.Equal(200, reply.Status);
        Assert.Equal(ids.Order(StringComparer.OrdinalIgnoreCase), reply.Body!["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        var recorded = await QueryAsync("graph-op", "project id");
        Assert.Equal(200, recorded.Status);
        Assert.True(recorded.Body!["totalRecords"]!.GetValue<int>() >= 3);
    }

    [Fact]
    public async Task The_recorded_malformed_query_fails_at_the_end_of_the_text_as_recorded()
    {
        var reply = await QueryAsync("graph-parse", "project id, location | where where");
        Assert.Equal(400, reply.Status);
        var details = reply.Body!["error"]!["details"]!.AsArray();
        Assert.Equal(new[] { "InvalidQuery", "ParserFailure" }, details.Select(d => d!["code"]!.GetValue<string>()));
        // The recording: line 1, characterPositionInLine 34, token <EOF>.
        Assert.Equal(1, details[1]!["line"]!.GetValue<int>());
        Assert.Equal(34, details[1]!["characterPositionInLine"]!.GetValue<int>());
        Assert.Equal("<EOF>", details[1]!["token"]!.GetValue<string>());
        Assert.Equal(400, (await QueryAsync("graph-parse", "Nonsense | project id")).Status);
    }

    [Fact]
    public async Task A_query_with_limit_or_take_is_answered_in_one_page_without_a_skipToken()
    {
        Seed("pr-limit", 30);
        foreach (var keyword in new[] { "limit", "take" })
        {
            var reply = await QueryAsync("graph-limit", $"Resources | where tags['foundry-env'] == 'pr-limit' | project id | order by id asc | {keyword} 20", "{\"$top\":5}");
            Assert.Equal(200, reply.Status);
            Assert.Equal(20, reply.Body!["totalRecords"]!.GetValue<int>());
            Assert.Equal(5, reply.Body["count"]!.GetValue<int>());
            Assert.Null(reply.Body["$skipToken"]);
        }
        var paged = await QueryAsync("graph-limit", "Resources | where tags['foundry-env'] == 'pr-limit' | project id", "{\"$top\":5}");
        Assert.NotNull(paged.Body!["$skipToken"]);
    }

    [Fact]
    public async Task Facets_count_values_over_the_whole_result_sorted_cut_and_filtered_as_the_spec_example_shows()
    {
        Seed("pr-facet", 8);
        var reply = await QueryAsync("graph-facets", "Resources | where tags['foundry-env'] == 'pr-facet' | project id, name, location, properties.accessTier", "{\"$top\":2}",
            """
            [
              {"expression":"location","options":{"sortOrder":"desc","$top":2}},
              {"expression":"properties.accessTier","options":{"sortOrder":"desc","$top":3}},
              {"expression":"nonExistingColumn","options":{"sortOrder":"desc","$top":3}},
              {"expression":"location","options":{"sortBy":"tolower(location)","sortOrder":"asc","$top":3}},
              {"expression":"location","options":{"filter":"location contains 'us'","$top":3}}
            ]
            """);
        Assert.Equal(200, reply.Status);
        Assert.Equal(2, reply.Body!["count"]!.GetValue<int>());
        Assert.Equal("Hot", reply.Body["data"]![0]!["properties_accessTier"]!.GetValue<string>());
        var facets = reply.Body["facets"]!.AsArray();
        Assert.Equal(5, facets.Count);

        var byCount = facets[0]!;
        Assert.Equal("FacetResult", byCount["resultType"]!.GetValue<string>());
        Assert.Equal(3, byCount["totalRecords"]!.GetValue<int>());
        Assert.Equal(2, byCount["count"]!.GetValue<int>());
        Assert.Equal("eastus", byCount["data"]![0]!["location"]!.GetValue<string>());
        Assert.Equal(4, byCount["data"]![0]!["count"]!.GetValue<int>());

        Assert.Equal(new[] { "Cool", "Hot" }, facets[1]!["data"]!.AsArray().Select(d => d!["properties_accessTier"]!.GetValue<string>()).Order());
        Assert.Equal("FacetError", facets[2]!["resultType"]!.GetValue<string>());
        Assert.Equal(new[] { "NoValidColumns", "InvalidColumnNames" }, facets[2]!["errors"]!.AsArray().Select(e => e!["code"]!.GetValue<string>()));
        Assert.Equal(new[] { "eastus", "swedencentral", "westus" }, facets[3]!["data"]!.AsArray().Select(d => d!["location"]!.GetValue<string>()));
        Assert.Equal(2, facets[4]!["totalRecords"]!.GetValue<int>());
    }

    [Fact]
    public async Task ResultFormat_table_answers_columns_and_rows_for_data_and_facets()
    {
        Seed("pr-table", 4);
        var reply = await QueryAsync("graph-table", "Resources | where tags['foundry-env'] == 'pr-table' | project id, name, location, tags | order by name asc",
            "{\"resultFormat\":\"table\"}", "[{\"expression\":\"location\"}]");
        Assert.Equal(200, reply.Status);
        var data = reply.Body!["data"]!;
        Assert.Equal(new[] { "id", "name", "location", "tags" }, data["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(new[] { "string", "string", "string", "object" }, data["columns"]!.AsArray().Select(c => c!["type"]!.GetValue<string>()));
        Assert.Equal(4, data["rows"]!.AsArray().Count);
        Assert.Equal("stprtable00000", data["rows"]![0]![1]!.GetValue<string>());
        var facet = reply.Body["facets"]![0]!["data"]!;
        Assert.Equal(new[] { "location", "count" }, facet["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("integer", facet["columns"]![1]!["type"]!.GetValue<string>());
        Assert.Equal(400, (await QueryAsync("graph-table", "Resources | project id", "{\"resultFormat\":\"csv\"}")).Status);
    }
}
