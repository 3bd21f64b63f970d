namespace Foundry.Shell.Benchmarks;

/// <summary>Get-FoundryManagedResource over COUNT managed resources in three subscriptions: streamed from the first Resource Graph page.</summary>
internal static class GraphBenchmark
{
    private const string GraphPath = "/providers/Microsoft.ResourceGraph/resources";

    public static async Task<BenchmarkSection> RunAsync(int count, Func<string, IReadOnlyDictionary<string, object>?, int> execute)
    {
        await using var cloud = await BenchmarkCloud.StartAsync(recordRequests: true);
        var subscriptions = cloud.Host.Subscriptions.ToArray();
        for (var i = 0; i < subscriptions.Length; i++)
        {
            var share = count / subscriptions.Length + (i < count % subscriptions.Length ? 1 : 0);
            cloud.Host.SeedManagedResources(subscriptions[i], "rg-graph", share, "pr-90");
        }
        var log = cloud.Host.Cloud.Log;
        var probe = new BenchmarkProbe(() => log.All.Count);
        // The warm-up query (an environment with nothing) loads the engine, so the timed one measures paging and streaming.
        var exit = execute("""
            $null = Get-FoundryManagedResource -Environment pr-9999999 -SubscriptionId $subs
            $probe.Mark('start'); $seen = 0
            Get-FoundryManagedResource -Environment pr-90 -SubscriptionId $subs | ForEach-Object { if ($seen -eq 0) { $probe.Mark('first') }; $seen++ }
            $probe.Mark('last'); $probe.Mark("objects=$seen")
            """, new Dictionary<string, object> { ["probe"] = probe, ["subs"] = subscriptions });
        var (start, first, last) = (probe["start"], probe["first"], probe["last"]);
        var objects = int.Parse(probe.LabelStartingWith("objects=")["objects=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var all = log.All;
        List<Foundry.Emulator.Control.RequestRecord> Graph(int from, int to) =>
            all.Skip(from).Take(to - from).Where(r => r.PathAndQuery.StartsWith(GraphPath, StringComparison.Ordinal)).ToList();
        // The log records a request once its answer is written, which may be just after the client saw it: count to the end.
        var queries = Graph(start.Requests, all.Count);
        static bool ResourcesPage(Foundry.Emulator.Control.RequestRecord r) => r.Status == 200 && r.RequestBody?.Contains("\"query\":\"Resources ", StringComparison.Ordinal) == true;
        var pages = queries.Count(ResourcesPage);
        var groupQueries = queries.Count(r => r.Status == 200 && !ResourcesPage(r));
        var throttled = queries.Count(r => r.Status == 429);
        var pagesAtFirst = Graph(start.Requests, first.Requests).Count(ResourcesPage);
        var ratio = (first.At - start.At).TotalSeconds / (last.At - start.At).TotalSeconds;
        var markdown = $"""
            ## Resource Graph streaming ({count} managed resources in {subscriptions.Length} subscriptions)

            `--benchmark graph {count}`: `Get-FoundryManagedResource -Environment pr-90 -SubscriptionId <3 subscriptions>`, engine warm.

            | Objects out | `Resources` pages (1,000 rows) | `ResourceContainers` queries | Queries answered 429 | `Resources` pages served when the first object arrived | Time to first object ÷ time to last |
            |---|---|---|---|---|---|
            | {objects} | {pages} | {groupQueries} | {throttled} | {pagesAtFirst} | {ratio:F2} ({(first.At - start.At).TotalMilliseconds:F0} ms of {(last.At - start.At).TotalMilliseconds:F0} ms) |
            """;
        return new BenchmarkSection(markdown, exit == 0 && objects == count);
    }
}
