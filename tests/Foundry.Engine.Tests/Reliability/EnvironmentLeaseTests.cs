using System.Diagnostics;
using Foundry.Engine.Environments;
using Foundry.Engine.Policy;
using Foundry.Engine.Secrets;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// Two processes (two engines that do not share the in-process lock, as an Actions job and an Automation job) running
/// up, rotate and down on one environment at the same moment: the lease in the environment's vault serialises them, so
/// every pair ends as one run after the other would — no secret version holding a key that was revoked, no lost app
/// setting, and the drift checks all Passed (or, after a down, nothing of the environment left).
/// FOUNDRY_LEASE_PAIRS=20 runs each pairing 20 times (the issue's acceptance); the suite runs each once.
/// </summary>
public sealed class EnvironmentLeaseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Site = "func-contoso-dev";
    private const string Setting = "AZURE_OPENAI_API_KEY";
    private const string SecretName = "AZURE-OPENAI-API-KEY";

    private static readonly (string First, string Second)[] Pairings =
    {
        ("rotate", "rotate"), ("up", "rotate"), ("rotate", "down"), ("up", "down"), ("down", "up"), ("up", "up"), ("down", "down"),
    };

    /// <summary>One command in its own "process": its own in-process lock, the same cloud and identity.</summary>
    private static async Task<string> RunInOwnProcessAsync(LocalCloud cloud, FoundryPolicy policy, string command)
    {
        var services = cloud.ServicesWith(LocalCloud.TestTimings);
        var runId = Guid.NewGuid().ToString("n");
        try
        {
            switch (command)
            {
                case "up":
                    await new EnvironmentProvisioner(services, new EnvironmentLocks()).ProvisionAsync(policy, "dev", false, runId, LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
                    return "up ok";
                case "rotate":
                    var rotation = await new KeyRotator(services, new EnvironmentLocks()).RotateAsync(policy, "dev", false, false, runId, LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
                    return rotation.AppsPending.Count == 0 ? "rotate ok" : "rotate PENDING";
                default:
                    var report = await new EnvironmentRemover(services, new EnvironmentLocks()).RemoveAsync(policy, "dev", false, runId, LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
                    return report.Status == "Verified" ? "down ok" : $"down {report.Status}";
            }
        }
        catch (FoundryEngineException e)
        {
            return $"{command} failed {e.ErrorId}" + (Environment.GetEnvironmentVariable("FOUNDRY_LEASE_TRACE") is null ? "" : $" ({e.Message} {e.StackTrace})");
        }
    }

    [Fact]
    public async Task Up_rotate_and_down_in_two_processes_at_once_end_as_if_one_ran_after_the_other()
    {
        var repetitions = int.TryParse(Environment.GetEnvironmentVariable("FOUNDRY_LEASE_PAIRS"), out var n) ? n : 1;
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        // Ephemeral: down purges, so an up right after a down can take the names again (as for pr environments).
        var policy = LocalCloud.PolicyFor(cloud.Subscription, ", \"ephemeral\": true");
        Assert.Equal("up ok", await RunInOwnProcessAsync(cloud, policy, "up"));
        var broken = new List<string>();
        var watch = Stopwatch.StartNew();
        var pairs = 0;
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            foreach (var (first, second) in Pairings)
            {
                pairs++;
                var pairStarted = DateTimeOffset.UtcNow;
                var outcomes = await Task.WhenAll(RunInOwnProcessAsync(cloud, policy, first), Task.Run(async () =>
                {
                    // Where the second run starts varies, so the interleavings vary too.
                    await Task.Delay(TimeSpan.FromMilliseconds(pairs % 5 * 15));
                    return await RunInOwnProcessAsync(cloud, policy, second);
                }));
                var problems = await ProblemsAsync(cloud, policy, pairStarted, outcomes);
                var summary = $"{first} | {second}: {string.Join(" / ", outcomes)}{(problems.Count == 0 ? "" : " -> " + string.Join("; ", problems))}";
                output.WriteLine(summary);
                if (problems.Count > 0) broken.Add(summary);
                // The next pair starts from an environment that is up (a down in this pair removed it).
                if (!EnvironmentExists(cloud)) Assert.Equal("up ok", await RunInOwnProcessAsync(cloud, policy, "up"));
            }
        }
        output.WriteLine($"{pairs} pairs in {watch.Elapsed.TotalSeconds:0.0} s, {broken.Count} broken");
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public async Task A_crashed_runs_lease_lapses_and_a_run_that_cannot_wait_fails_with_EnvironmentBusy()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        var vault = (await cloud.Services.Vaults.GetAsync(Foundry.Engine.Vaults.VaultOperations.IdOf(cloud.Subscription, up.Environment.ResourceGroupName, up.Environment.KeyVaultName), CancellationToken.None))!;
        // A run that claimed the lease and then died: it never renews or releases its claim.
        var crashed = await cloud.Services.Leases.AppendAsync(vault.VaultUri, EnvironmentLease.NameFor("dev"), "crashed-run", "other-host/4242", "rotate",
            DateTimeOffset.UtcNow.AddSeconds(3), CancellationToken.None);

        var impatient = cloud.ServicesWith(LocalCloud.TestTimings with { LeaseWaitLimit = TimeSpan.FromMilliseconds(300) });
        var busy = await Assert.ThrowsAsync<FoundryEngineException>(() => new KeyRotator(impatient, new EnvironmentLocks())
            .RotateAsync(cloud.Policy, "dev", false, false, "impatient", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None));
        Assert.Equal(Foundry.Engine.Errors.EngineErrorIds.EnvironmentBusy, busy.ErrorId);
        Assert.Equal(FailureKind.Conflict, busy.Kind);
        Assert.Equal("dev", busy.Target);
        Assert.Contains("crashed-run", busy.Message);
        var keysBefore = cloud.Keys(up.Environment.AccountId!);
        Assert.Equal(keysBefore.Key1, cloud.SecretValue(up.Environment.KeyVaultName, SecretName)); // refused before any write

        var watch = Stopwatch.StartNew();
        var rotation = await new KeyRotator(cloud.ServicesWith(LocalCloud.TestTimings), new EnvironmentLocks())
            .RotateAsync(cloud.Policy, "dev", false, false, "patient", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        output.WriteLine($"rotation behind a crashed run's lease (expiry {crashed.ExpiresOn:O}) finished after {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(new[] { Site }, rotation.AppsConfirmed);
        Assert.True(DateTimeOffset.UtcNow >= crashed.ExpiresOn, "the rotation ran before the crashed run's lease lapsed");
        // The patient run released its claim: nothing live is left behind.
        var claims = await cloud.Services.Leases.ListAsync(vault.VaultUri, EnvironmentLease.NameFor("dev"), CancellationToken.None);
        Assert.DoesNotContain(claims, c => c.IsLive(DateTimeOffset.UtcNow));
        Assert.Contains(claims, c => c.RunId == "patient" && !c.Enabled);
    }

    private static bool EnvironmentExists(LocalCloud cloud) =>
        cloud.CountResources(r => r.Id.Contains("/providers/Microsoft.CognitiveServices/accounts/", StringComparison.OrdinalIgnoreCase) && r.Id.Contains("dev", StringComparison.OrdinalIgnoreCase)) > 0;

    /// <summary>What a serial order of the two runs could not have left.</summary>
    private static async Task<List<string>> ProblemsAsync(LocalCloud cloud, FoundryPolicy policy, DateTimeOffset pairStarted, string[] outcomes)
    {
        var problems = new List<string>();
        foreach (var outcome in outcomes.Where(o => !o.EndsWith(" ok", StringComparison.Ordinal)))
        {
            // A rotation after a down finds nothing to rotate: that is one of the serial orders.
            if (outcome != $"rotate failed {Foundry.Engine.Errors.EngineErrorIds.EnvironmentNotProvisioned}") problems.Add($"run ended '{outcome}'");
        }
        var settings = cloud.AppSettings(Site);
        if (!settings.ContainsKey("UNRELATED_SETTING")) problems.Add("the app's own setting was lost");
        if (!EnvironmentExists(cloud))
        {
            if (settings.ContainsKey(Setting)) problems.Add("down left the app's key setting behind");
            if (cloud.CountResources(r => r.Id.Contains("/providers/Microsoft.KeyVault/vaults/", StringComparison.OrdinalIgnoreCase) && r.Id.Contains("dev", StringComparison.OrdinalIgnoreCase)) > 0)
            {
                problems.Add("the account is gone but the vault is left");
            }
            return problems;
        }
        var up = await cloud.Reader.ReadAsync(policy, "dev", CancellationToken.None);
        var keys = cloud.Keys(up.AccountId!);
        foreach (var version in SecretVersionsSince(cloud, up.KeyVaultName, pairStarted))
        {
            if (version != keys.Key1 && version != keys.Key2) problems.Add("a secret version written in this pair holds a revoked key");
        }
        if (cloud.ResolvedValue(Site, Setting) is not { } resolved || (resolved != keys.Key1 && resolved != keys.Key2)) problems.Add("the app resolves no working key");
        var checks = await cloud.Inspector.InspectAsync(policy, "dev", NullReporter.Instance, CancellationToken.None);
        problems.AddRange(checks.Where(c => c.Status != CheckStatus.Passed && c.Status != CheckStatus.Skipped).Select(c => $"check {c.Check} {c.Status}: {c.Detail}"));
        return problems;
    }

    private static List<string> SecretVersionsSince(LocalCloud cloud, string vault, DateTimeOffset since)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            return cloud.Host.Cloud.State.Vaults.TryGetValue(vault.ToLowerInvariant(), out var content) && content.Secrets.TryGetValue(SecretName.ToLowerInvariant(), out var secret)
                ? secret.Versions.Where(v => v.Created >= since).Select(v => v.Value).ToList()
                : new List<string>();
        }
    }
}
