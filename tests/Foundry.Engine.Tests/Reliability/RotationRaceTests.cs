using System.Diagnostics;
using Foundry.Emulator.Control;
using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// Runs of one environment in two processes (two engines, each with its own in-process lock, as two pwsh sessions or
/// two workflow runs would be) while Azure answers a write with a retryable error: the secret and every app must end on
/// a key the account still has, and a run that cannot get there must fail rather than report success.
/// </summary>
public sealed class RotationRaceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Site = "func-contoso-dev";
    private const string Setting = "AZURE_OPENAI_API_KEY";
    private const string SecretName = "AZURE-OPENAI-API-KEY";

    private static Task<RotationRecord> RotateInOwnProcessAsync(LocalCloud cloud) =>
        new KeyRotator(cloud.Services, new EnvironmentLocks())
            .RotateAsync(cloud.Policy, "dev", force: false, whatIf: false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    private static Task<ProvisionResult> UpInOwnProcessAsync(LocalCloud cloud) =>
        new EnvironmentProvisioner(cloud.Services, new EnvironmentLocks())
            .ProvisionAsync(cloud.Policy, "dev", false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    private static int RefreshesSince(LocalCloud cloud, int mark) => cloud.Host.Cloud.Log.All.Skip(mark)
        .Count(r => r.Method == "POST" && r.PathAndQuery.Contains("/config/configreferences/appsettings/refresh", StringComparison.OrdinalIgnoreCase));

    private static int SecretWritesSince(LocalCloud cloud, int mark) => cloud.Host.Cloud.Log.All.Skip(mark)
        .Count(r => r.Method == "PUT" && r.Service == ServiceKind.KeyVault && r.Status < 400);

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit) throw new TimeoutException("the awaited condition never held");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Two_processes_rotating_with_the_first_secret_write_answered_503_after_a_delay_never_end_on_a_revoked_key()
    {
        const int Runs = 20;
        var endedOnRevokedKey = new List<string>();
        var reportedSuccessOnRevokedKey = new List<string>();
        var bothSucceeded = 0;
        var failedRuns = new List<string>();
        var failureIds = new List<string>();
        var watch = Stopwatch.StartNew();
        for (var run = 0; run < Runs; run++)
        {
            await using var scope = await LocalCloudScope.StartAsync();
            var cloud = scope.Value;
            await cloud.CreateAppAsync(Site);
            var up = await cloud.UpAsync("dev");
            var mark = cloud.Mark;
            var runStarted = watch.Elapsed;
            // The first secret write is held, then answered 503: the SDK retries it, by which time the other process has
            // regenerated the same slot (the key in that retried write is revoked).
            var held = cloud.Host.Cloud.Faults.Add(new FaultRule
            {
                Method = "PUT", Service = ServiceKind.KeyVault, PathPattern = $"/secrets/{SecretName}$", Status = 503, Code = "ServiceUnavailable",
                Count = 1, Delay = TimeSpan.FromMilliseconds(400),
            });
            var first = Capture(RotateInOwnProcessAsync(cloud));
            await WaitUntilAsync(() => held.Hits > 0, TimeSpan.FromSeconds(10));
            // Where the second run starts varies per run (within the held write, and for the last runs after the retry
            // landed), so the interleavings vary too.
            await Task.Delay(TimeSpan.FromMilliseconds(run * 25));
            var second = Capture(RotateInOwnProcessAsync(cloud));
            var outcomes = await Task.WhenAll(first, second);
            var runTime = watch.Elapsed - runStarted;

            var keys = cloud.Keys(up.Environment.AccountId!);
            bool Current(string? key) => key is not null && (key == keys.Key1 || key == keys.Key2);
            var secretCurrent = Current(cloud.SecretValue(up.Environment.KeyVaultName, SecretName));
            var appCurrent = Current(cloud.ResolvedValue(Site, Setting));
            var summary = $"run {run}: {string.Join(" / ", outcomes.Select(o => o.Describe()))}; secret {(secretCurrent ? "current" : "REVOKED")}, app {(appCurrent ? "current" : "REVOKED")}; {runTime.TotalMilliseconds:0} ms, {RefreshesSince(cloud, mark)} refreshes, {SecretWritesSince(cloud, mark)} secret writes";
            output.WriteLine(summary);
            if (!secretCurrent || !appCurrent) endedOnRevokedKey.Add(summary);
            // A rotation that reports its app confirmed must have left it on a working key.
            if (outcomes.Any(o => o.Record is { AppsConfirmed.Count: > 0 }) && !appCurrent) reportedSuccessOnRevokedKey.Add(summary);
            failureIds.AddRange(outcomes.Where(o => !o.Succeeded).Select(o => o.Failure?.ErrorId ?? "RotationPendingOnApp"));
            if (outcomes.All(o => o.Succeeded)) bothSucceeded++;
            else failedRuns.Add(summary);
        }
        output.WriteLine($"{Runs} runs in {watch.Elapsed.TotalSeconds:0.0} s: {endedOnRevokedKey.Count} ended on a revoked key, {reportedSuccessOnRevokedKey.Count} reported success on one, " +
                         $"{bothSucceeded} with both rotations succeeding, {failedRuns.Count} with a rotation failing (an error, not success: " +
                         $"{string.Join(", ", failureIds.GroupBy(id => id).Select(g => $"{g.Count()} {g.Key}"))})");
        Assert.True(endedOnRevokedKey.Count == 0, string.Join("\n", endedOnRevokedKey));
        Assert.Empty(reportedSuccessOnRevokedKey);
    }

    [Fact]
    public async Task Up_racing_a_rotation_converges_on_the_rotated_key_without_waiting_out_the_refresh_timeout()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var first = await cloud.UpAsync("dev");
        // up reads the secret, then the keys: holding its listKeys lets a whole rotation (another process) run in between,
        // so up holds version 1 of the secret while the app already resolves the rotation's version 2.
        var held = cloud.Host.Cloud.Faults.Add(new FaultRule
        {
            Method = "POST", PathPattern = "/listKeys$", Status = 503, Code = "ServiceUnavailable", Count = 1, Delay = TimeSpan.FromMilliseconds(1500),
        });
        var watch = Stopwatch.StartNew();
        var up = UpInOwnProcessAsync(cloud);
        await WaitUntilAsync(() => held.Hits > 0, TimeSpan.FromSeconds(10));
        var rotation = await RotateInOwnProcessAsync(cloud);
        Assert.Equal(new[] { Site }, rotation.AppsConfirmed);
        Assert.False(up.IsCompleted, "the rotation must run inside up's held read");
        var mark = cloud.Mark;

        var failure = await Record.ExceptionAsync(() => up);
        watch.Stop();

        var upRefreshes = RefreshesSince(cloud, mark);
        output.WriteLine($"up beside a rotation: {watch.Elapsed.TotalMilliseconds:0} ms (refresh timeout {cloud.Policy.Environments["dev"].RefreshTimeout.TotalSeconds:0} s), " +
                         $"{upRefreshes} refresh request(s) by up after the rotation, {(failure is FoundryEngineException e ? $"failed {e.ErrorId}" : failure?.Message ?? "succeeded")}");
        Assert.Null(failure);
        Assert.Equal("Resolved", (await up).Environment.Apps.Single().ReferenceStatus);
        var keys = cloud.Keys(first.Environment.AccountId!);
        Assert.Equal(keys.Key2, cloud.SecretValue(first.Environment.KeyVaultName, SecretName));
        Assert.Equal(keys.Key2, cloud.ResolvedValue(Site, Setting));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"up took {watch.Elapsed}: it waited out (part of) the 5 s refresh timeout");
        Assert.InRange(upRefreshes, 0, 1);
    }

    [Fact]
    public async Task A_reference_that_cannot_resolve_is_refreshed_a_bounded_number_of_times_by_a_rotation_and_left_pending()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        // The app's identity loses its read role: every refresh now answers AccessToKeyVaultDenied (as while a new
        // assignment propagates in Azure), and the app keeps the key it cached, which still works.
        var siteId = Foundry.Engine.Apps.AppOperations.IdOf(cloud.Subscription, "rg-apps", Site);
        var vaultId = Foundry.Engine.Vaults.VaultOperations.IdOf(cloud.Subscription, up.Environment.ResourceGroupName, up.Environment.KeyVaultName);
        var principal = (await cloud.Services.Apps.GetAsync(siteId, CancellationToken.None))!.PrincipalId!;
        var assignment = (await cloud.Services.RoleAssignments.FindAsync(vaultId, principal, Foundry.Engine.Access.BuiltInRoles.KeyVaultSecretsUser, CancellationToken.None))!;
        Assert.True(await cloud.Services.RoleAssignments.DeleteAsync(assignment.ResourceId, CancellationToken.None));
        // Under the realistic profile a removed assignment keeps working until the removal has propagated, as in Azure.
        await Task.Delay(cloud.Host.Cloud.Realism.RoleAssignmentPropagation * 1.5);
        var mark = cloud.Mark;
        var watch = Stopwatch.StartNew();

        var rotation = await RotateInOwnProcessAsync(cloud);

        var refreshes = RefreshesSince(cloud, mark);
        var statusReads = cloud.Host.Cloud.Log.All.Skip(mark).Count(r => r.Method == "GET" && r.PathAndQuery.Contains("/config/configreferences/appsettings", StringComparison.OrdinalIgnoreCase));
        output.WriteLine($"rotation with an unresolvable reference: {watch.Elapsed.TotalMilliseconds:0} ms (refresh timeout 5 s), {refreshes} refresh requests, {statusReads} status reads");
        Assert.Equal(new[] { Site }, rotation.AppsPending);
        Assert.InRange(refreshes, 1, ReferenceRefresher.RefreshesPerApp);
    }

    [Fact]
    public async Task A_rotation_that_leaves_an_app_on_a_key_another_run_revoked_fails_with_KeyRotationConflict_instead_of_pending()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        // The app cannot refresh (held, then 503), so it keeps key1; meanwhile another run regenerates key1 (as a forced
        // rotation or an exposure response elsewhere would). The app is down: that is not "pending, the old key still works".
        var blocked = cloud.Host.Cloud.Faults.Add(new FaultRule
        {
            Method = "POST", PathPattern = $"{Site}/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable", Delay = TimeSpan.FromMilliseconds(200),
        });
        var rotation = RotateInOwnProcessAsync(cloud);
        await WaitUntilAsync(() => blocked.Hits > 0, TimeSpan.FromSeconds(10));
        await cloud.Services.Accounts.RegenerateKeyAsync(up.Environment.AccountId!, Foundry.Engine.Accounts.KeySlot.Key1, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<FoundryEngineException>(() => rotation);

        Assert.Equal(SecretSettler.KeyRotationConflict, failure.ErrorId);
        Assert.Equal(FailureKind.Conflict, failure.Kind);
        Assert.Contains(Site, failure.Message);
        var keys = cloud.Keys(up.Environment.AccountId!);
        Assert.Equal(keys.Key2, cloud.SecretValue(up.Environment.KeyVaultName, SecretName)); // the secret itself is on the rotated key
    }

    private static async Task<Outcome> Capture(Task<RotationRecord> rotation)
    {
        try
        {
            return new Outcome(await rotation, null);
        }
        catch (FoundryEngineException e)
        {
            return new Outcome(null, e);
        }
    }

    private sealed record Outcome(RotationRecord? Record, FoundryEngineException? Failure)
    {
        /// <summary>What the cmdlet would end with: success only with no exception and no app pending (RotationPendingOnApp).</summary>
        public bool Succeeded => Record is { AppsPending.Count: 0 };

        public string Describe() => Failure is not null ? $"failed {Failure.ErrorId}"
            : Record!.AppsPending.Count > 0 ? $"pending {string.Join(",", Record.AppsPending)}" : $"ok {Record.PreviousSlot}->{Record.NewSlot}";
    }
}
