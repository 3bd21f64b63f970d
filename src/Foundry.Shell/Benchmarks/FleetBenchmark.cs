using System.Diagnostics;
using System.Text;
using Foundry.Emulator.Realism;

namespace Foundry.Shell.Benchmarks;

/// <summary>
/// Invoke-FoundryKeyRotation over COUNT environments from the pipeline at the default throttle limit, against one
/// rotation, under the realistic profile (Resource Manager's token buckets enforced, time scaled): the ratio, failures,
/// and the requests Azure answered 429.
/// </summary>
internal static class FleetBenchmark
{
    public static async Task<BenchmarkSection> RunAsync(int count, Func<string, IReadOnlyDictionary<string, object>?, int> execute)
    {
        var policyPath = Path.Combine(Path.GetTempPath(), $"foundry-fleet-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(policyPath, Policy(count));
        var profile = RealismProfile.Realistic();
        await using var cloud = await BenchmarkCloud.StartAsync(recordRequests: true, policyPath, profile);
        var environments = $"1..{count} | ForEach-Object {{ [pscustomobject]@{{ Environment = \"pr-$_\" }} }}";
        var clock = Stopwatch.StartNew();
        var upExit = execute($"{environments} | New-FoundryEnvironment -ThrottleLimit 16 | Out-Null; if ($Error.Count) {{ $Error | Select-Object -First 3 | ForEach-Object {{ \"$_\" }} }}", null);
        var upSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var oneExit = execute("Invoke-FoundryKeyRotation -Environment pr-1 | Out-Null", null);
        var one = clock.Elapsed.TotalSeconds;

        var mark = cloud.Host.Cloud.Log.All.Count;
        clock.Restart();
        var allExit = execute($"$rotations = @({environments} | Invoke-FoundryKeyRotation -ErrorVariable +failures); " +
                              "\"rotated=$($rotations.Count) failed=$($failures.Count)\"; $failures | Select-Object -First 3 | ForEach-Object { \"$_\" }", null);
        var all = clock.Elapsed.TotalSeconds;
        var requests = cloud.Host.Cloud.Log.All.Skip(mark).ToList();
        var throttled = requests.Count(r => r.Status == 429);
        File.Delete(policyPath);
        var ratio = all / one;
        var markdown = $"""
            ## Fleet rotation ({count} environments, realistic profile: Resource Manager's buckets, time scale {profile.TimeScale})

            `--benchmark fleet {count}`: `... | Invoke-FoundryKeyRotation` over {count} environments from the pipeline at the default
            throttle limit, against `Invoke-FoundryKeyRotation -Environment pr-1` alone.

            | Run | Wall time (s) | Exit |
            |---|---|---|
            | up of {count} (setup, -ThrottleLimit 16) | {upSeconds:F1} | {upExit} |
            | one rotation | {one:F1} | {oneExit} |
            | {count} rotations (default throttle limit) | {all:F1} | {allExit} |

            {count} rotations ÷ one = **{ratio:F1}** (goal ≤ 12); {requests.Count} requests, **{throttled} answered 429** (each retried after its Retry-After).
            """;
        return new BenchmarkSection(markdown, upExit == 0 && oneExit == 0 && allExit == 0);
    }

    /// <summary>pr-1 … pr-COUNT, each wiring its own Function App (environments sharing one app contend for its settings).</summary>
    private static string Policy(int count)
    {
        var environments = new StringBuilder();
        for (var i = 1; i <= count; i++)
        {
            if (i > 1) environments.Append(",\n");
            environments.Append($"    \"pr-{i}\": {{ \"apps\": [ {{ \"name\": \"func-fleet-{i}\", \"resourceGroup\": \"rg-fleet-apps\" }} ] }}");
        }
        return $$"""
            {
              "app": "fleet",
              "defaults": {
                "subscriptionId": "00000000-0000-4000-8000-000000000001",
                "location": "eastus",
                "deployments": [ { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 1 } ],
                "keyVault": { "create": true }
              },
              "environments": {
            {{environments}}
              }
            }
            """;
    }
}
