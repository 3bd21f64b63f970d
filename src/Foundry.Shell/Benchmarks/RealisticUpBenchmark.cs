using Foundry.Emulator.Control;
using Foundry.Emulator.Realism;

namespace Foundry.Shell.Benchmarks;

/// <summary>
/// `up` of the example policy's dev environment under the emulator's realistic profile (RBAC propagation, Resource
/// Graph lag, Key Vault windows, Azure's throttling buckets) at the same tenfold pace as the operation durations, and
/// the critical path through up's dependency graph computed from the delays the emulator is configured with,
/// propagation included; then the reference refreshes each app got per up and per rotation.
/// </summary>
internal static class RealisticUpBenchmark
{
    /// <summary>Azure's pace divided by ten, as the operation durations of <see cref="UpBenchmark"/> are.</summary>
    private const double TimeScale = 0.1;

    private const string Script = """
        $probe.Mark('start')
        $null = New-FoundryEnvironment -Environment dev -WhatIf
        $probe.Mark('warm')
        $null = New-FoundryEnvironment -Environment dev
        $probe.Mark('up')
        $null = Invoke-FoundryKeyRotation -Environment dev
        $probe.Mark('rotate')
        """;

    private const string RefreshPath = "/config/configreferences/appsettings/refresh";

    public static async Task<(string Markdown, bool Succeeded, double Ratio)> RunAsync(Func<string, IReadOnlyDictionary<string, object>?, int> execute, string policyPath,
        int deployments, Action<OperationTimings> applyDurations)
    {
        var realism = RealismProfile.Realistic(TimeScale);
        await using var cloud = await BenchmarkCloud.StartAsync(recordRequests: true, policyPath, realism);
        var timings = cloud.Host.Cloud.Timings;
        applyDurations(timings);

        // The critical path, from what the emulator will do: the account's creation, then its deployments one at a time
        // (Azure refuses overlapping writes), beside the vault's creation and then the propagation of the role
        // assignments granted as soon as it exists (the operator's, which the secret write waits on, and each app's,
        // which its reference resolution waits on). The secret, the app settings and the refresh answer at once.
        TimeSpan Of(string key) => timings.For(key);
        var account = Of("Microsoft.CognitiveServices/accounts:create");
        var deployment = Of("Microsoft.CognitiveServices/accounts/deployments:create");
        var vault = Of("Microsoft.KeyVault/vaults:create");
        var propagation = realism.Local(realism.RoleAssignmentPropagation);
        var accountPath = account + TimeSpan.FromTicks(deployment.Ticks * deployments);
        var vaultPath = vault + propagation;
        var criticalPath = accountPath > vaultPath ? accountPath : vaultPath;

        var log = cloud.Host.Cloud.Log;
        var probe = new BenchmarkProbe(() => log.All.Count);
        Environment.SetEnvironmentVariable("FOUNDRY_LOCAL_TIMINGS", "azure");
        int exit;
        try
        {
            exit = execute(Script, new Dictionary<string, object> { ["probe"] = probe });
        }
        finally
        {
            Environment.SetEnvironmentVariable("FOUNDRY_LOCAL_TIMINGS", null);
        }
        var upSeconds = (probe["up"].At - probe["warm"].At).TotalSeconds;
        var ratio = upSeconds / criticalPath.TotalSeconds;
        var all = log.All;
        List<(string Site, int Count)> Refreshes(string from, string to) =>
            all.Skip(probe[from].Requests).Take(probe[to].Requests - probe[from].Requests)
                .Where(r => r.Method == "POST" && r.PathAndQuery.Contains(RefreshPath, StringComparison.OrdinalIgnoreCase))
                .GroupBy(r => r.PathAndQuery.Substring(0, r.PathAndQuery.IndexOf(RefreshPath, StringComparison.OrdinalIgnoreCase)).Split('/').Last(), StringComparer.OrdinalIgnoreCase)
                .Select(g => (g.Key, g.Count())).ToList();
        string Describe(List<(string Site, int Count)> refreshes) =>
            refreshes.Count == 0 ? "0" : string.Join(", ", refreshes.Select(r => $"{r.Site}: {r.Count}"));
        var upRefreshes = Refreshes("warm", "up");
        var rotateRefreshes = Refreshes("up", "rotate");
        var upRequests = probe["up"].Requests - probe["warm"].Requests;
        // The timeline of that up (seconds from its first request, method, status, path), to see where time goes.
        var upSlice = all.Skip(probe["warm"].Requests).Take(upRequests).ToList();
        if (upSlice.Count > 0)
        {
            var start = upSlice[0].Time;
            Directory.CreateDirectory(Path.Combine(Environment.CurrentDirectory, "out", "benchmarks"));
            File.WriteAllLines(Path.Combine(Environment.CurrentDirectory, "out", "benchmarks", "up-realistic-timeline.txt"),
                upSlice.Select(r => $"{(r.Time - start).TotalSeconds,7:F2} {r.Method,-6} {r.Status} {r.Host.Split('.')[0],-24} {r.PathAndQuery.Split('?')[0]}"));
        }

        var markdown = $"""
            ## up under the realistic profile (example policy, `dev`: {deployments} deployment, 1 app)

            `--benchmark up`, second part: the same operation durations on a local cloud with the realistic profile at
            {TimeScale} × Azure's pace (the durations' tenfold scale): role assignments reach Key Vault and App Service after
            {propagation.TotalSeconds:0.#} s (Azure: {realism.RoleAssignmentPropagation.TotalSeconds:0} s), Resource Graph lags, Key Vault deletes and
            purges take their time, and Resource Manager's throttling buckets are enforced.

            Critical path including propagation, from the emulator's configured delays: resource group → max(account create
            {account.TotalSeconds:0.#} s → {deployments} deployment(s) × {deployment.TotalSeconds:0.#} s one at a time ; vault create
            {vault.TotalSeconds:0.#} s → role assignments (operator's and the app's, granted as soon as the vault exists) propagate
            {propagation.TotalSeconds:0.#} s) → secret → app settings → refresh = max({accountPath.TotalSeconds:0.#}, {vaultPath.TotalSeconds:0.#}) = **{criticalPath.TotalSeconds:0.0} s**.

            | Run | Wall time (s) | Ratio |
            |---|---|---|
            | Foundry `New-FoundryEnvironment` (module warm: after a `-WhatIf`), realistic | {upSeconds:F2} | **{ratio:F2} ×** the critical path including propagation (goal ≤ 1.15) |

            Requests of that up: {upRequests}. Reference refresh calls (`POST …/config/configreferences/appsettings/refresh`)
            per app: up {Describe(upRefreshes)}; rotation {Describe(rotateRefreshes)} (bound: {3} per app per command).
            """;
        return (markdown, exit == 0, ratio);
    }
}
