using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.Tests.Replay;

/// <summary>SecretOperations on real Key Vault answers: the 401 challenge, versions, delete, get-deleted and recover polling.</summary>
public sealed class SecretReplayTests
{
    private static readonly Uri Vault = new("https://tb0f745ebb7bfae58.vault.azure.net/");

    private static SecretOperations Secrets(RecordedAzure azure)
    {
        var options = new SecretClientOptions { Transport = new HttpClientTransport(new HttpClient(azure)) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        return new SecretOperations(uri => new SecretClient(uri, RecordedAzure.Credential, options), TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Set_answers_the_challenge_and_each_set_is_a_new_version()
    {
        var azure = RecordedAzure.Load("kv-secrets-net-SetSecret.json");
        var secrets = Secrets(azure);
        var versions = new List<string>();
        foreach (var value in new[] { "value1", "value2", "value3" })
        {
            versions.Add((await secrets.SetAsync(Vault, "1199237512", value, new Dictionary<string, string>(), CancellationToken.None)).Version);
        }
        Assert.Equal(3, versions.Distinct().Count());
        Assert.All(versions, v => Assert.Matches("^[0-9a-f]{32}$", v));
        var second = await secrets.GetAsync(Vault, "1199237512", versions[1], CancellationToken.None);
        Assert.Equal("value2", second!.Value.Value);
        Assert.Equal(new[] { 401, 200, 200, 200, 200 }, azure.Served.Select(s => s.Status));
    }

    [Fact]
    public async Task Delete_then_get_deleted_reports_recovery_id_and_purge_date()
    {
        var azure = RecordedAzure.Load("kv-secrets-net-GetDeletedSecret.json");
        var secrets = Secrets(azure);
        await secrets.SetAsync(Vault, "393254889", "value", new Dictionary<string, string>(), CancellationToken.None);
        Assert.NotNull(await secrets.StartDeleteAsync(Vault, "393254889", CancellationToken.None));
        var deleted = await secrets.GetDeletedAsync(Vault, "393254889", CancellationToken.None);
        Assert.Equal("https://tb0f745ebb7bfae58.vault.azure.net/deletedsecrets/393254889", deleted!.RecoveryId);
        Assert.Equal(TimeSpan.FromDays(7), deleted.ScheduledPurgeDate - deleted.DeletedOn);
    }

    [Fact]
    public async Task Recover_polls_through_the_recorded_404s_until_the_secret_is_back()
    {
        var azure = RecordedAzure.Load("kv-secrets-net-StartRecoverDeletedSecret.json");
        var secrets = Secrets(azure);
        await secrets.SetAsync(Vault, "222766711", "value", new Dictionary<string, string>(), CancellationToken.None);
        await secrets.StartDeleteAsync(Vault, "222766711", CancellationToken.None);
        var recover = await secrets.StartRecoverAsync(Vault, "222766711", CancellationToken.None);
        await recover.WaitAsync(CancellationToken.None);
        Assert.True(recover.HasCompleted);
        var properties = await secrets.GetPropertiesAsync(Vault, "222766711", CancellationToken.None);
        Assert.Equal("3d84f805b25a4eb68b372e8d410f296d", properties!.Version);
        Assert.Equal(new[] { 404, 404, 200 }, azure.Served.Where(s => s.Method == "GET").Take(3).Select(s => s.Status));
    }

    [Fact]
    public async Task A_delete_waits_through_the_recorded_404_of_the_deleted_secret_then_purge_answers_204()
    {
        // Go SDK recording: GET /deletedsecrets/{n} right after the delete is 404 SecretNotFound, 10 s later 200.
        var azure = RecordedAzure.Load("kv-secrets-go-TestCRUD.json");
        var secrets = Secrets(azure);
        var vault = new Uri("https://sanitized.vault.azure.net/");
        await secrets.SetAsync(vault, "secret518723441", "value518723441", new Dictionary<string, string>(), CancellationToken.None);
        var delete = await secrets.StartDeleteAsync(vault, "secret518723441", CancellationToken.None);
        await delete!.WaitAsync(CancellationToken.None);
        var deleted = await secrets.GetDeletedAsync(vault, "secret518723441", CancellationToken.None);
        Assert.Equal("https://cpazsec21435.vault.azure.net/deletedsecrets/secret518723441", deleted!.RecoveryId);
        Assert.Equal(TimeSpan.FromDays(7), deleted.ScheduledPurgeDate - deleted.DeletedOn);
        Assert.True(await secrets.PurgeDeletedAsync(vault, "secret518723441", CancellationToken.None));
        Assert.Equal(new[] { 404, 200, 200 }, azure.Served.Where(s => s.Path.StartsWith("/deletedsecrets/", StringComparison.Ordinal) && s.Method == "GET").Select(s => s.Status));
        Assert.Equal(("DELETE", 204), (azure.Served[^1].Method, azure.Served[^1].Status));
    }
}
