using System.Diagnostics;
using Foundry.Emulator.Control;

namespace Foundry.Shell.Benchmarks;

/// <summary>Remove-FoundryManagedResource on COUNT resources with 20 % of deletes throttled: default throttle limit against -ThrottleLimit 1.</summary>
internal static class CleanupBenchmark
{
    public static async Task<BenchmarkSection> RunAsync(int count, Func<string, IReadOnlyDictionary<string, object>?, int> execute)
    {
        var rows = new List<(string Label, double Seconds, int Exit)>();
        foreach (var (label, throttle) in new[] { ("default (16)", ""), ("-ThrottleLimit 1", " -ThrottleLimit 1") })
        {
            await using var cloud = await BenchmarkCloud.StartAsync(recordRequests: false);
            cloud.Host.SeedManagedResources(cloud.Host.DefaultSubscription, "rg-bench", count, "pr-1");
            // 20 % of deletes are throttled with Retry-After: 1, the way ARM answers when a principal's delete budget runs dry.
            cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "DELETE", PathPattern = "/storageAccounts/", Status = 429, Code = "TooManyRequests", RetryAfterSeconds = 1, Probability = 0.2 });
            var clock = Stopwatch.StartNew();
            var exit = execute($"$results = @(Remove-FoundryManagedResource -Environment pr-1 -Confirm:$false{throttle}); " +
                               "$report = $results | Where-Object { $_.PSObject.Properties['TotalDeleted'] }; " +
                               "$failed = @($results | Where-Object { $_.PSObject.Properties['Attempts'] -and $_.Status -eq 'failed' }).Count; " +
                               "\"status=$($report.Status) deleted=$($report.TotalDeleted) failed=$failed\"", null);
            rows.Add((label, clock.Elapsed.TotalSeconds, exit));
        }
        var ratio = rows[1].Seconds / rows[0].Seconds;
        var markdown = $"""
            ## Cleanup ({count} managed resources, 20 % of deletes answered 429 with Retry-After: 1)

            `--benchmark cleanup {count}`{(count == 1000 ? "" : " (issue 4 measured 1,000; `--benchmark all N` runs this part at N, 200 by default, to keep the report under a few minutes)")}.

            | Throttle limit | Wall time (s) | Exit |
            |---|---|---|
            | {rows[0].Label} | {rows[0].Seconds:F1} | {rows[0].Exit} |
            | {rows[1].Label} | {rows[1].Seconds:F1} | {rows[1].Exit} |

            Default is **{ratio:F1}×** faster than -ThrottleLimit 1 (goal ≥ 10×).
            """;
        var bucket = await RunAgainstDeleteBucketAsync(count, execute);
        return new BenchmarkSection(markdown + Environment.NewLine + Environment.NewLine + bucket.Markdown, rows.All(r => r.Exit == 0) && bucket.Succeeded);
    }

    /// <summary>
    /// The same cleanup against Resource Manager's own delete bucket (realistic profile: 200 tokens refilling 10/s in
    /// Azure time, scaled) with no injected faults: wall time against the least the bucket allows.
    /// </summary>
    public static async Task<BenchmarkSection> RunAgainstDeleteBucketAsync(int count, Func<string, IReadOnlyDictionary<string, object>?, int> execute)
    {
        var profile = Foundry.Emulator.Realism.RealismProfile.Realistic();
        await using var cloud = await BenchmarkCloud.StartAsync(recordRequests: true, realism: profile);
        cloud.Host.SeedManagedResources(cloud.Host.DefaultSubscription, "rg-bench", count, "pr-1");
        // Resource Graph shows new resources only after its index lag (scaled), counted from when its index first sees
        // them: one query, then the lag, and the cleanup starts once all are indexed.
        execute("Get-FoundryManagedResource -Environment pr-1 | Out-Null", null);
        await Task.Delay(TimeSpan.FromTicks((long)(profile.GraphIndexLagMax.Ticks * profile.TimeScale)) + TimeSpan.FromSeconds(0.5));
        var deletes = profile.Throttling.Deletes;
        var refillPerSecond = deletes.RefillPerSecond / profile.Throttling.TimeScale;
        var floor = Math.Max(0, count - deletes.Capacity) / refillPerSecond;
        var mark = cloud.Host.Cloud.Log.All.Count;
        var clock = Stopwatch.StartNew();
        var exit = execute("$results = @(Remove-FoundryManagedResource -Environment pr-1 -Confirm:$false); " +
                           "$failed = @($results | Where-Object { $_.PSObject.Properties['Attempts'] -and $_.Status -eq 'failed' }).Count; " +
                           "$report = $results | Where-Object { $_.PSObject.Properties['TotalDeleted'] }; \"status=$($report.Status) deleted=$($report.TotalDeleted) failed=$failed\"", null);
        var wall = clock.Elapsed.TotalSeconds;
        var requests = cloud.Host.Cloud.Log.All.Skip(mark).ToList();
        var throttled = requests.Count(r => r.Status == 429);
        var markdown = $"""
            ## Cleanup within Resource Manager's delete bucket ({count} managed resources, realistic profile, time scale {profile.TimeScale})

            No injected faults: the emulator's delete bucket ({deletes.Capacity} tokens, {deletes.RefillPerSecond}/s in Azure time = {refillPerSecond:F0}/s here)
            is the only limit. The least it allows: ({count} − {deletes.Capacity}) ÷ {refillPerSecond:F0}/s = {floor:F1} s.

            | Wall time (s) | ÷ the bucket's minimum | Requests | Answered 429 | Exit |
            |---|---|---|---|---|
            | {wall:F1} | **{(floor > 0 ? wall / floor : 0):F2}** (goal ≤ 1.25) | {requests.Count} | {throttled} | {exit} |
            """;
        return new BenchmarkSection(markdown, exit == 0);
    }
}
