using Foundry.Engine.Vaults;

namespace Foundry.Engine.Tests.Replay;

/// <summary>
/// VaultOperations on Azure's real answers (Java SDK recordings: URIs carry a zeroed subscription): a create answered 200
/// RegisteringDns that is only done once a read says Succeeded, and a delete, purge (202 + Location poll) and the deleted
/// vault gone afterwards.
/// </summary>
public sealed class VaultReplayTests
{
    private const string Subscription = "00000000-0000-0000-0000-000000000000";

    [Fact]
    public async Task A_create_answered_200_RegisteringDns_waits_for_a_read_that_says_Succeeded()
    {
        var azure = RecordedAzure.Load("kv-mgmt-java-VaultTests.canCRUDVaultWithRbac.json");
        var vaults = new VaultOperations(azure.CreateArmClient(Subscription), TimeSpan.FromMilliseconds(1));
        var create = await vaults.StartCreateOrUpdateAsync(new VaultSpec(Subscription, "javacsmrg71038", "java-keyvault-63175", "westus",
            "54826b22-38d6-4fb2-bad9-b7b93a3e9c5a", false, new Dictionary<string, string>()), CancellationToken.None);
        Assert.False(create.HasCompleted);
        await create.WaitAsync(CancellationToken.None);
        Assert.True(create.HasCompleted);
        Assert.Equal(new[] { ("PUT", 200), ("GET", 200) }, azure.Served.Select(s => (s.Method, s.Status)));
    }

    [Fact]
    public async Task Delete_then_purge_polls_the_202_Location_and_the_deleted_vault_is_gone()
    {
        // Azure's Location header names the real subscription, which the recording's URIs sanitized to zeros.
        var azure = RecordedAzure.Load("kv-mgmt-java-VaultTests.canEnableSoftDeleteAndPurge.json").Renaming("0b1f6471-1bf0-4dda-aec3-cb9272f09590", Subscription);
        var vaults = new VaultOperations(azure.CreateArmClient(Subscription), TimeSpan.FromMilliseconds(1));
        var id = VaultOperations.IdOf(Subscription, "javacsmrg11153", "java-keyvault-52083other");
        Assert.True(await vaults.DeleteAsync(id, CancellationToken.None));
        Assert.True(await vaults.PurgeDeletedAsync(Subscription, "westus", "java-keyvault-52083other", CancellationToken.None));
        Assert.False(await vaults.DeletedExistsAsync(Subscription, "westus", "java-keyvault-52083other", CancellationToken.None));
        Assert.Equal(new[] { ("DELETE", 200), ("GET", 200), ("POST", 202), ("GET", 200), ("GET", 404) }, azure.Served.Select(s => (s.Method, s.Status)));
        Assert.Contains("/operationResults/", azure.Served[3].Path);
    }
}
