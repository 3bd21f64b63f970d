using Foundry.Engine.Accounts;

namespace Foundry.Engine.Tests.Replay;

/// <summary>AccountOperations against the real Azure recording of an account's create (201 + azure-asyncoperation, two polls) and delete (200, empty).</summary>
public sealed class AccountReplayTests
{
    private const string Subscription = "f9b96b36-1f5e-4021-8959-51527e26e6d3";

    [Fact]
    public async Task Create_polls_the_recorded_async_operation_to_Succeeded_then_delete_completes_synchronously()
    {
        var azure = RecordedAzure.Load("cogsvc-net-AccountResourceApiTests().json");
        var accounts = new AccountOperations(azure.CreateArmClient(Subscription), TimeSpan.FromMilliseconds(1));
        var spec = new AccountSpec(Subscription, "testRG-6155", "testAccount-4006", "centralus", "OpenAI", "testaccount-4006",
            new Dictionary<string, string> { ["foundry-managed"] = "true" });

        var create = await accounts.StartCreateOrUpdateAsync(spec, CancellationToken.None);
        Assert.False(create.HasCompleted);
        await create.WaitAsync(CancellationToken.None);
        Assert.True(create.HasCompleted);

        var account = await accounts.GetAsync(create.ResourceId, CancellationToken.None);
        Assert.NotNull(account);
        Assert.Equal("Succeeded", account!.ProvisioningState);
        Assert.Equal("testAccount-4006", account.Name);
        Assert.Equal("testRG-6155", account.ResourceGroupName);
        Assert.Equal("Face", account.Kind); // what the recorded test created
        Assert.StartsWith("https://", account.Endpoint);

        var delete = await accounts.StartDeleteAsync(create.ResourceId, CancellationToken.None);
        Assert.NotNull(delete);
        await delete!.WaitAsync(CancellationToken.None);

        var methods = azure.Served.Select(s => $"{s.Method} {s.Status}").ToList();
        Assert.Equal(new[] { "PUT 201", "GET 200", "GET 200", "GET 200", "GET 200", "DELETE 200" }, methods);
        Assert.Contains("/operationResults/", azure.Served[1].Path);
    }
}
