using Foundry.Emulator;

namespace Foundry.Shell.Benchmarks;

/// <summary>A fresh in-process local cloud for one benchmark, with the module pointed at it through the environment.</summary>
internal sealed class BenchmarkCloud : IAsyncDisposable
{
    private BenchmarkCloud(EmulatorHost host, string folder)
    {
        Host = host;
        Folder = folder;
    }

    public EmulatorHost Host { get; }
    public string Folder { get; }

    public static async Task<BenchmarkCloud> StartAsync(bool recordRequests, string? policyPath = null, Foundry.Emulator.Realism.RealismProfile? realism = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "foundry-bench-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var connection = Path.Combine(folder, "connection.json");
        var host = await EmulatorHost.StartAsync(new EmulatorOptions { ConnectionFile = connection, RecordRequests = recordRequests, Realism = realism ?? Foundry.Emulator.Realism.RealismProfile.Fast });
        Environment.SetEnvironmentVariable("FOUNDRY_CLOUD", "Local");
        Environment.SetEnvironmentVariable("FOUNDRY_EMULATOR_CONNECTION", connection);
        if (policyPath is not null)
        {
            Environment.SetEnvironmentVariable("FOUNDRY_POLICY", policyPath);
            DemoSeed.EnsureAppsOfPolicy(host, policyPath);
        }
        return new BenchmarkCloud(host, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

/// <summary>Marks points in a PowerShell script run (passed in as $probe): when, and how many requests the emulator had served.</summary>
public sealed class BenchmarkProbe
{
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Func<int> requestCount;
    private readonly Action<string>? onMark;
    private readonly List<(string Label, TimeSpan At, int Requests)> marks = new();

    internal BenchmarkProbe(Func<int> requestCount, Action<string>? onMark = null)
    {
        this.requestCount = requestCount;
        this.onMark = onMark;
    }

    public void Mark(string label)
    {
        lock (marks) marks.Add((label, clock.Elapsed, requestCount()));
        onMark?.Invoke(label);
    }

    internal string LabelStartingWith(string prefix)
    {
        lock (marks) return marks.First(m => m.Label.StartsWith(prefix, StringComparison.Ordinal)).Label;
    }

    internal (TimeSpan At, int Requests) this[string label]
    {
        get
        {
            lock (marks)
            {
                var mark = marks.FirstOrDefault(m => m.Label == label);
                if (mark.Label is null) throw new InvalidOperationException($"The script did not reach '{label}'.");
                return (mark.At, mark.Requests);
            }
        }
    }
}
