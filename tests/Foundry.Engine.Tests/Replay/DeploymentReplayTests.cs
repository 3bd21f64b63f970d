using Foundry.Engine.Deployments;

namespace Foundry.Engine.Tests.Replay;

/// <summary>DeploymentOperations on Azure's real answers: a create that is done in its 201 (no async operation) and a delete answered 200 with no body.</summary>
public sealed class DeploymentReplayTests
{
    // The JS recordings name the subscription `azure_subscription_id`; the engine parses ids, which need a GUID.
    private const string Subscription = "00000000-0000-4000-8000-0000000000a1";
    private const string Account = "/subscriptions/" + Subscription + "/resourceGroups/openai-shared/providers/Microsoft.CognitiveServices/accounts/sdk-test-openai-js";

    private static DeploymentOperations Deployments(RecordedAzure azure) =>
        new(azure.Renaming("azure_subscription_id", Subscription).CreateArmClient(Subscription), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));

    [Fact]
    public async Task A_create_answered_201_Succeeded_without_an_async_header_is_complete_with_no_poll()
    {
        var azure = RecordedAzure.Load("cogsvc-js-recording_should_deploy_a_davinci_model_in_that_account.json");
        var create = await Deployments(azure).StartCreateOrUpdateAsync(Account, new DeploymentSpec("text-davince-model", "text-davinci-003", "1", "Standard", 1), "eastus", CancellationToken.None);
        Assert.True(create.HasCompleted);
        await create.WaitAsync(CancellationToken.None);
        Assert.Equal(new[] { ("PUT", 201) }, azure.Served.Select(s => (s.Method, s.Status)));
    }

    [Fact]
    public async Task List_reads_the_recorded_page_and_a_delete_answered_200_with_no_body_is_complete()
    {
        var azure = RecordedAzure.Load("cogsvc-js-recording_should_list_deployments_and_delete_a_deployment.json");
        var deployments = Deployments(azure);
        var listed = Assert.Single(await deployments.ListAsync(Account, CancellationToken.None));
        Assert.Equal(("sdk-test-openai-js", "Standard"), (listed.AccountName, listed.Sku));
        Assert.True(listed.Capacity > 0);
        Assert.Equal("Succeeded", listed.ProvisioningState);

        var delete = await deployments.StartDeleteAsync(Account, listed.Name, CancellationToken.None);
        Assert.NotNull(delete);
        Assert.True(delete!.HasCompleted);
        await delete.WaitAsync(CancellationToken.None);
        Assert.Empty(await deployments.ListAsync(Account, CancellationToken.None));
        Assert.Equal(new[] { ("GET", 200), ("DELETE", 200), ("GET", 200) }, azure.Served.Select(s => (s.Method, s.Status)));
    }
}
