using System.Diagnostics;
using System.Text.Json;
using Foundry.Emulator.Control;

namespace Foundry.Shell.Benchmarks;

/// <summary>
/// `up` of the example policy's dev environment on an empty local cloud whose long-running operations take seconds
/// (Azure's durations scaled down about tenfold), compared with the critical path of those durations through up's
/// dependency graph and with a sequential SDK script that makes the same resources; then the request counts of a
/// converged re-run, a rotation and a down.
/// </summary>
internal static class UpBenchmark
{
    // Azure: account creation about 60 s (the recording took 66 s), a GPT deployment and a vault about 30 s each.
    private static readonly (string Key, string Label, TimeSpan Duration)[] Profile =
    {
        ("Microsoft.CognitiveServices/accounts:create", "account create", TimeSpan.FromSeconds(6)),
        ("Microsoft.CognitiveServices/accounts/deployments:create", "deployment create (each)", TimeSpan.FromSeconds(3)),
        ("Microsoft.KeyVault/vaults:create", "vault create (RegisteringDns)", TimeSpan.FromSeconds(3)),
    };

    private const string Script = """
        $probe.Mark('start')
        $null = New-FoundryEnvironment -Environment dev -WhatIf
        $probe.Mark('warm')
        $null = New-FoundryEnvironment -Environment dev
        $probe.Mark('up')
        $null = New-FoundryEnvironment -Environment dev
        $probe.Mark('rerun')
        $null = Invoke-FoundryKeyRotation -Environment dev
        $probe.Mark('rotate')
        $null = Remove-FoundryEnvironment -Environment dev -Confirm:$false
        $probe.Mark('down')
        """;

    public static async Task<BenchmarkSection> RunAsync(Func<string, IReadOnlyDictionary<string, object>?, int> execute)
    {
        var policyPath = Path.Combine(ShellCommand.Metadata("FoundryRepoRoot"), "examples", "foundry.policy.json");
        var deployments = DeploymentCount(policyPath, "dev");
        TimeSpan Of(int i) => Profile[i].Duration;
        var criticalPath = Max(Of(0) + deployments * Of(1), Of(2));

        SequentialScript.Resources resources;
        double foundrySeconds;
        int exit;
        var counts = new List<(string Action, int Requests, int Writes)>();
        await using (var cloud = await BenchmarkCloud.StartAsync(recordRequests: true, policyPath))
        {
            Apply(cloud.Host.Cloud.Timings);
            var log = cloud.Host.Cloud.Log;
            SequentialScript.Resources? captured = null;
            var probe = new BenchmarkProbe(() => log.All.Count, label =>
            {
                if (label == "up") captured = SequentialScript.Resources.Capture(cloud.Host, "dev");
            });
            Environment.SetEnvironmentVariable("FOUNDRY_LOCAL_TIMINGS", "azure");
            try
            {
                exit = execute(Script, new Dictionary<string, object> { ["probe"] = probe });
            }
            finally
            {
                Environment.SetEnvironmentVariable("FOUNDRY_LOCAL_TIMINGS", null);
            }
            resources = captured ?? throw new InvalidOperationException("up did not complete; see the errors above.");
            foundrySeconds = (probe["up"].At - probe["warm"].At).TotalSeconds;
            var all = log.All;
            foreach (var (action, from, to) in new[] { ("up (empty env)", "warm", "up"), ("up (converged re-run)", "up", "rerun"), ("rotate", "rerun", "rotate"), ("down", "rotate", "down") })
            {
                var slice = all.Skip(probe[from].Requests).Take(probe[to].Requests - probe[from].Requests).ToList();
                counts.Add((action, slice.Count, slice.Count(r => r.Mutating)));
            }
        }

        double sequentialSeconds;
        bool sameResources;
        await using (var cloud = await BenchmarkCloud.StartAsync(recordRequests: false, policyPath))
        {
            Apply(cloud.Host.Cloud.Timings);
            var script = new SequentialScript(cloud.Host, resources);
            await script.WarmUpAsync();
            var clock = Stopwatch.StartNew();
            await script.RunAsync();
            sequentialSeconds = clock.Elapsed.TotalSeconds;
            sameResources = SequentialScript.Resources.Capture(cloud.Host, "dev").SameShapeAs(resources);
        }

        var realistic = await RealisticUpBenchmark.RunAsync(execute, policyPath, deployments, Apply);

        var overCritical = foundrySeconds / criticalPath.TotalSeconds;
        var speedup = sequentialSeconds / foundrySeconds;
        var rerunWrites = counts[1].Writes;
        var rows = string.Join(Environment.NewLine, counts.Select(c => $"| {c.Action} | {c.Requests} | {c.Writes} |"));
        var profile = string.Join(", ", Profile.Select(p => $"{p.Label} {p.Duration.TotalSeconds:0} s"));
        var markdown = $"""
            ## up on an empty environment (example policy, `dev`: {deployments} deployment, 1 app)

            `--benchmark up`. Operation durations configured in the emulator (Azure's scaled down about tenfold): {profile}.
            Everything else (resource group, role assignments, keys, secret, app settings, reference refresh) answers at once.
            Foundry runs with the polling and retry timings it uses against Azure (`FOUNDRY_LOCAL_TIMINGS=azure`): Retry-After
            when sent, else 1 s for an operation's first 15 s, then 2 s.

            Critical path through up's dependency graph: resource group → max(account create → {deployments} deployment(s), one at a
            time on the account (Azure refuses overlapping writes: 409 RequestConflict) ; vault create → operator role) → account
            keys → secret → each app (settings, read role, refresh), apps in parallel
            = max({Of(0).TotalSeconds:0} + {deployments} × {Of(1).TotalSeconds:0}, {Of(2).TotalSeconds:0}) = **{criticalPath.TotalSeconds:0.0} s**.

            | Run | Wall time (s) | Ratio |
            |---|---|---|
            | Foundry `New-FoundryEnvironment` (module warm: after a `-WhatIf`) | {foundrySeconds:F2} | {overCritical:F2} × the critical path (goal ≤ 1.15) |
            | Sequential SDK script, same resources, SDK default polling | {sequentialSeconds:F2} | Foundry is **{speedup:F2}×** faster (goal ≥ 1.5×) |

            The sequential script (src/Foundry.Shell/Benchmarks/SequentialScript.cs) makes the same resources {(sameResources ? "(checked: same resource types, names and tags)" : "(**differs** from Foundry's: see the check)")}
            one call after another with `WaitUntil.Completed` and the SDK's default polling (Retry-After when sent, else 1, 1, 1, 2, 4… s).

            | Action | Requests | Writes |
            |---|---|---|
            {rows}

            A re-run of up on the converged environment issued **{rerunWrites}** writes (goal 0).

            {realistic.Markdown}
            """;
        return new BenchmarkSection(markdown, exit == 0 && sameResources && rerunWrites == 0 && realistic.Succeeded);
    }

    private static void Apply(OperationTimings timings)
    {
        foreach (var (key, _, duration) in Profile) timings.Set(key, duration);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static int DeploymentCount(string policyPath, string environment)
    {
        using var policy = JsonDocument.Parse(File.ReadAllText(policyPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = policy.RootElement;
        if (root.GetProperty("environments").TryGetProperty(environment, out var env) && env.TryGetProperty("deployments", out var own)) return own.GetArrayLength();
        return root.GetProperty("defaults").GetProperty("deployments").GetArrayLength();
    }
}
