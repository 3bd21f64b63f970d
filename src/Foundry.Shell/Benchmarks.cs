using System.Diagnostics;
using Foundry.Emulator;
using Foundry.Emulator.Control;

namespace Foundry.Shell;

/// <summary>
/// Benchmarks that need a local cloud and the real module (not part of the test run). Each prints a markdown table of
/// ratios measured in one run and writes it to out/benchmarks/.
/// </summary>
internal static class Benchmarks
{
    public static async Task<int> RunAsync(string name, string[] args, Func<string, int> execute)
    {
        if (name != "cleanup")
        {
            Console.Error.WriteLine($"Unknown benchmark '{name}'. Known: cleanup.");
            return 2;
        }
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 1000;
        var rows = new List<(string Label, double Seconds, int Exit)>();
        foreach (var (label, throttle) in new[] { ("default (16)", ""), ("-ThrottleLimit 1", " -ThrottleLimit 1") })
        {
            var folder = Path.Combine(Path.GetTempPath(), "foundry-bench-" + Guid.NewGuid().ToString("n"));
            await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { ConnectionFile = Path.Combine(folder, "connection.json"), RecordRequests = false });
            emulator.SeedManagedResources(emulator.DefaultSubscription, "rg-bench", count, "pr-1");
            // 20 % of deletes are throttled with Retry-After: 1, the way ARM answers when a principal's delete budget runs dry.
            emulator.Cloud.Faults.Add(new FaultRule { Method = "DELETE", PathPattern = "/storageAccounts/", Status = 429, Code = "TooManyRequests", RetryAfterSeconds = 1, Probability = 0.2 });
            Environment.SetEnvironmentVariable("FOUNDRY_CLOUD", "Local");
            Environment.SetEnvironmentVariable("FOUNDRY_EMULATOR_CONNECTION", Path.Combine(folder, "connection.json"));
            var clock = Stopwatch.StartNew();
            var exit = execute($"$results = @(Remove-FoundryManagedResource -Environment pr-1 -Confirm:$false{throttle}); " +
                               "$report = $results | Where-Object { $_.PSObject.Properties['TotalDeleted'] }; " +
                               "$failed = @($results | Where-Object { $_.PSObject.Properties['Attempts'] -and $_.Status -eq 'failed' }).Count; " +
                               "\"status=$($report.Status) deleted=$($report.TotalDeleted) failed=$failed\"");
            rows.Add((label, clock.Elapsed.TotalSeconds, exit));
        }
        var ratio = rows[1].Seconds / rows[0].Seconds;
        var table = $"""
            # Cleanup benchmark ({count} managed resources, 20 % of deletes answered 429 with Retry-After: 1)

            | Throttle limit | Wall time (s) | Exit |
            |---|---|---|
            | {rows[0].Label} | {rows[0].Seconds:F1} | {rows[0].Exit} |
            | {rows[1].Label} | {rows[1].Seconds:F1} | {rows[1].Exit} |

            Default is **{ratio:F1}×** faster than -ThrottleLimit 1 (goal ≥ 10×), measured in one run on this machine.
            """;
        Console.WriteLine(table);
        var output = Path.Combine(Environment.CurrentDirectory, "out", "benchmarks");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "cleanup.md"), table);
        return rows.All(r => r.Exit == 0) ? 0 : 1;
    }
}
