using System.Text.Json.Nodes;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// Resource Graph's aggregating KQL as the REST spec's examples use it (ResourcesSummarizeQuery, ResourcesComplexQuery,
/// ResourcesPropertiesQuery): summarize count() by a column or tostring(path) (named count_ and properties_a_b),
/// summarize by alone, top n by a count (numeric order), distinct and count; table format names the new columns.
/// </summary>
public sealed class ResourceGraphAggregationTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Url = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01";

    /// <summary>Eleven resources of this environment: 6 in eastus, 3 in westus, 2 in swedencentral; tiers alternate Hot/Cool.</summary>
    private void Seed(string environment)
    {
        var ids = GraphSeed.Managed(emulator.Host, 11, environment);
        lock (emulator.Host.Cloud.Sync)
        {
            for (var i = 0; i < ids.Count; i++)
            {
                var resource = emulator.Host.Cloud.State.Find(ids[i])!;
                resource.Location = i < 6 ? "eastus" : i < 9 ? "westus" : "swedencentral";
                resource.Properties["accessTier"] = i % 2 == 0 ? "Hot" : "Cool";
            }
        }
    }

    private async Task<JsonObject> QueryAsync(string query, string? options = null)
    {
        using var http = emulator.Authorized("graph-aggregation");
        var body = new JsonObject { ["subscriptions"] = new JsonArray(emulator.Host.Subscriptions.Select(s => (JsonNode)s).ToArray()), ["query"] = query };
        if (options is not null) body["options"] = JsonNode.Parse(options);
        var reply = await http.SendAsync(HttpMethod.Post, Url, body.ToJsonString());
        Assert.True(reply.Status == 200, reply.Text);
        return reply.Body!.AsObject();
    }

    private static string Rows(JsonObject reply) => reply["data"]!.ToJsonString();

    [Fact]
    public async Task Summarize_count_by_location_then_top_orders_the_counts_as_numbers()
    {
        Seed("agg-top");
        const string Mine = "Resources | where tags['foundry-env'] == 'agg-top'";

        var top = await QueryAsync($"{Mine} | project id, name, type, location | summarize count() by location | top 2 by count_");
        Assert.Equal("[{\"location\":\"eastus\",\"count_\":6},{\"location\":\"westus\",\"count_\":3}]", Rows(top));
        Assert.Equal(2, top["totalRecords"]!.GetValue<int>());
        Assert.Null(top["$skipToken"]);

        var ascending = await QueryAsync($"{Mine} | summarize count() by location | top 1 by count_ asc");
        Assert.Equal("[{\"location\":\"swedencentral\",\"count_\":2}]", Rows(ascending));
        var ordered = await QueryAsync($"{Mine} | summarize n = count() by location | order by n desc");
        Assert.Equal(new[] { 6, 3, 2 }, ordered["data"]!.AsArray().Select(r => r!["n"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Summarize_by_alone_distinct_and_count_give_one_row_per_key_or_the_total()
    {
        Seed("agg-keys");
        const string Mine = "Resources | where tags['foundry-env'] == 'agg-keys'";

        Assert.Equal("[{\"location\":\"eastus\"},{\"location\":\"swedencentral\"},{\"location\":\"westus\"}]", Rows(await QueryAsync($"{Mine} | summarize by location")));
        Assert.Equal(Rows(await QueryAsync($"{Mine} | summarize by location")), Rows(await QueryAsync($"{Mine} | distinct location")));
        Assert.Equal("[{\"Count\":11}]", Rows(await QueryAsync($"{Mine} | count")));
        Assert.Equal("[{\"count_\":11,\"hot\":6}]", Rows(await QueryAsync($"{Mine} | summarize count(), hot = countif(properties.accessTier == 'Hot')")));
        Assert.Equal("[{\"count_\":0}]", Rows(await QueryAsync("Resources | where name == 'no-such-resource' | summarize count()")));
    }

    [Fact]
    public async Task An_unnamed_group_key_is_named_after_its_path_in_objects_and_in_table_format()
    {
        Seed("agg-path");
        const string Query = "Resources | where tags['foundry-env'] == 'agg-path' | summarize count() by tostring(properties.accessTier)";

        Assert.Equal("[{\"properties_accessTier\":\"Cool\",\"count_\":5},{\"properties_accessTier\":\"Hot\",\"count_\":6}]", Rows(await QueryAsync(Query)));
        var table = await QueryAsync(Query, "{\"resultFormat\":\"table\"}");
        Assert.Equal(new[] { "properties_accessTier", "count_" }, table["data"]!["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(2, table["data"]!["rows"]!.AsArray().Count);
    }
}
