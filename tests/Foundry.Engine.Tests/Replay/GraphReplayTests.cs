using Foundry.Engine.Errors;
using Foundry.Engine.Graph;

namespace Foundry.Engine.Tests.Replay;

/// <summary>GraphOperations against real Resource Graph answers: a paged page with $skipToken, and the 400 for a malformed query.</summary>
public sealed class GraphReplayTests
{
    private const string Subscription = "db1ab6f0-4769-4b27-930e-01e2ef9c123c";

    [Fact]
    public async Task A_recorded_page_yields_rows_the_total_and_a_continuation()
    {
        var azure = RecordedAzure.Load("resourcegraph-net-ResourcesQueryOptionsTest.json");
        var graph = new GraphOperations(azure.CreateArmClient(Subscription));
        var page = await graph.QueryPageAsync(new GraphQuery("Resources | project id", new[] { Subscription }, 6), null, CancellationToken.None);
        Assert.Equal(6, page.Items.Count);
        Assert.Equal(161, page.TotalRecords);
        Assert.NotNull(page.ContinuationToken);
        Assert.All(page.Items, r => Assert.StartsWith($"/subscriptions/{Subscription}/", r.ResourceId));
        Assert.Equal("test-vm-rg", page.Items[0].ResourceId.Split('/')[8]);
        Assert.Equal(("POST", 200), (azure.Served.Single().Method, azure.Served.Single().Status));
    }

    [Fact]
    public async Task The_recorded_malformed_query_answer_becomes_InvalidRequest_with_the_detail_code()
    {
        var azure = RecordedAzure.Load("resourcegraph-net-ResourcesMalformedQueryAsyncTest.json");
        var graph = new GraphOperations(azure.CreateArmClient(Subscription));
        var e = await Assert.ThrowsAsync<FoundryEngineException>(() =>
            graph.QueryPageAsync(new GraphQuery("project id, location | where where", new[] { Subscription }), null, CancellationToken.None));
        Assert.Equal(FailureKind.InvalidRequest, e.Kind);
        Assert.Equal(EngineErrorIds.InvalidRequest, e.ErrorId);
        Assert.Equal("BadRequest", e.ErrorCode);
        Assert.Equal(400, e.Status);
        Assert.Contains("query Azure Resource Graph", e.Message);
    }

    [Fact]
    public void Managed_query_narrows_by_environment_type_and_run_and_refuses_injection()
    {
        var kql = ManagedResourceQuery.Build("pr-12", new[] { "Microsoft.CognitiveServices/accounts" }, "run-1");
        Assert.Equal("Resources | where tags['foundry-managed'] =~ 'true' and tags['foundry-env'] =~ 'pr-12' and type in~ ('Microsoft.CognitiveServices/accounts') and tags['foundry-run-id'] == 'run-1' | project id, name, type, location, resourceGroup, subscriptionId, tags | order by id asc", kql);
        Assert.Throws<ArgumentException>(() => ManagedResourceQuery.Build("dev' or 1==1 //"));
        Assert.Throws<ArgumentException>(() => ManagedResourceQuery.Build(resourceTypes: new[] { "x') | project secret" }));
    }
}
