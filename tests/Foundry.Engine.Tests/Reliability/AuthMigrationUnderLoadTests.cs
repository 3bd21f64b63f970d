using Foundry.Engine.Environments;
using Foundry.Engine.Policy;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// Moving a live environment between keys and entra: app clients call without pause, each with what its app's settings
/// say at that moment (the key its Key Vault reference resolves, or its identity's token once the key setting is
/// gone). up's ordered move fails no request either way; the same move with a step out of order does fail requests,
/// which shows the measurement can fail.
/// </summary>
public sealed class AuthMigrationUnderLoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Site = "func-contoso-dev";
    private const string KeySetting = "AZURE_OPENAI_API_KEY";

    private static Task<ProvisionResult> UpAsync(LocalCloud cloud, FoundryPolicy policy, Func<IReadOnlyList<MigrationStep>, IEnumerable<MigrationStep>>? order = null) =>
        new EnvironmentProvisioner(cloud.Services) { MigrationStepOrder = order }
            .ProvisionAsync(policy, "dev", whatIf: false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    private static bool SecretDeleted(LocalCloud cloud, string vault)
    {
        lock (cloud.Host.Cloud.Sync) return cloud.Host.Cloud.State.Vaults[vault.ToLowerInvariant()].Secrets.Values.Single().IsDeleted;
    }

    [Fact]
    public async Task Keys_to_entra_and_back_under_continuous_load_fail_no_request_and_each_converged_rerun_writes_nothing()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var entraPolicy = KeylessEnvironmentTests.EntraPolicy(cloud);
        var up = await UpAsync(cloud, cloud.Policy);

        await using var load = AppLoad.StartFollowingSettings(cloud, Site, KeySetting, up.Environment.Endpoint!, "gpt-4o", clientCount: 4);
        await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var toEntra = await UpAsync(cloud, entraPolicy);
        var toEntraMs = watch.ElapsedMilliseconds;
        Assert.Equal("entra", toEntra.Environment.Auth);
        await load.WaitForEveryClientAsync(TimeSpan.FromSeconds(10));
        var keyRequestsBefore = load.KeyRequests;
        await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));
        Assert.Equal(keyRequestsBefore, load.KeyRequests); // every client is on its identity now
        Assert.False(cloud.AppSettings(Site).ContainsKey(KeySetting));
        Assert.True(SecretDeleted(cloud, toEntra.Environment.KeyVaultName), "the secret is deleted");
        var mark = cloud.Mark;
        Assert.Empty((await UpAsync(cloud, entraPolicy)).Changes);
        var entraRerunWrites = cloud.MutatingSince(mark);

        watch.Restart();
        var toKeys = await UpAsync(cloud, cloud.Policy);
        var toKeysMs = watch.ElapsedMilliseconds;
        Assert.Equal("keys", toKeys.Environment.Auth);
        await load.WaitForEveryClientAsync(TimeSpan.FromSeconds(10));
        var tokenRequestsBefore = load.TokenRequests;
        await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));
        Assert.Equal(tokenRequestsBefore, load.TokenRequests); // every client is on the key again
        Assert.Equal(0, KeylessEnvironmentTests.OpenAIUserAssignments(cloud, KeylessEnvironmentTests.SystemPrincipal(cloud, Site))); // Foundry's role is gone
        Assert.DoesNotContain(cloud.AppSettings(Site).Keys, k => k.StartsWith(AuthMigration.StagingPrefix, StringComparison.Ordinal));
        mark = cloud.Mark;
        Assert.Empty((await UpAsync(cloud, cloud.Policy)).Changes);
        var keysRerunWrites = cloud.MutatingSince(mark);

        Assert.True(load.Failed == 0, $"{load.Failed} failed requests of {load.Failed + load.Succeeded}: {string.Join(" | ", load.FailureSamples)}");
        Assert.Equal((0, 0), (entraRerunWrites, keysRerunWrites));
        Assert.True(load.KeyRequests > 0 && load.TokenRequests > 0);
        output.WriteLine($"keys→entra→keys under 4 clients: {load.Succeeded + load.Failed} requests ({load.KeyRequests} with the key, {load.TokenRequests} with a token), {load.Failed} failed; converged re-runs: {entraRerunWrites} and {keysRerunWrites} writes; changes: {toEntra.Changes.Count} to entra ({toEntraMs} ms), {toKeys.Changes.Count} back ({toKeysMs} ms)");
    }

    [Fact]
    public async Task The_same_load_fails_requests_when_a_move_disables_local_auth_first_or_removes_the_role_before_the_key_is_wired()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await UpAsync(cloud, cloud.Policy);
        await using var load = AppLoad.StartFollowingSettings(cloud, Site, KeySetting, up.Environment.Endpoint!, "gpt-4o", clientCount: 4);
        await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));

        // keys → entra with local auth disabled before the apps left the key.
        static IEnumerable<MigrationStep> DisableFirst(IReadOnlyList<MigrationStep> steps) => steps.OrderBy(s => s.Name == "DisableLocalAuth" ? 0 : 1);
        await UpAsync(cloud, KeylessEnvironmentTests.EntraPolicy(cloud), DisableFirst);
        var failedToEntra = load.Failed;
        Assert.True(failedToEntra > 0, "disabling local auth while the apps still send the key must fail their requests");
        Assert.Contains(load.FailureSamples, s => s.StartsWith("403", StringComparison.Ordinal));

        // entra → keys with the role removed before the key reference is wired.
        await load.WaitForEveryClientAsync(TimeSpan.FromSeconds(10));
        // In Azure the steps are minutes apart; here the apps get a second of calls after it (longer than the realistic
        // profile honours a revoked assignment), as they would between those steps.
        static IEnumerable<MigrationStep> RoleFirst(IReadOnlyList<MigrationStep> steps) =>
            steps.Where(s => s.Name == "RemoveRole").Append(new MigrationStep("AppsKeepCalling", token => Task.Delay(TimeSpan.FromSeconds(1), token)))
                .Concat(steps.Where(s => s.Name != "RemoveRole"));
        await UpAsync(cloud, cloud.Policy, RoleFirst);
        await load.WaitForEveryClientAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"out of order: {failedToEntra} failed requests moving to entra, {load.Failed - failedToEntra} moving back, of {load.Succeeded + load.Failed}");
        Assert.True(load.Failed > failedToEntra, "removing the role while the apps still call with their identities must fail their requests");
    }
}
