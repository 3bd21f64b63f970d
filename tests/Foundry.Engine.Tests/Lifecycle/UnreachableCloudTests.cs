using Foundry.Engine.Environments;
using Foundry.Engine.Cleanup;
using Foundry.Engine.Graph;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// The cloud goes away in the middle of the work (the emulator stops after up: its loopback port is closed): every engine
/// entry point reports CloudUnreachable with advice, never a raw HttpRequestException, AggregateException or
/// RequestFailedException with status 0.
/// </summary>
public sealed class UnreachableCloudTests
{
    [Fact]
    public async Task Every_entry_point_reports_CloudUnreachable_once_the_cloud_stopped_answering()
    {
        var cloud = await LocalCloud.StartAsync();
        await cloud.CreateAppAsync("func-contoso-dev");
        var up = await cloud.UpAsync("dev");
        var subscription = cloud.Subscription;
        await cloud.Host.DisposeAsync();

        var scan = Path.Combine(Path.GetTempPath(), "foundry-unreachable-" + Guid.NewGuid().ToString("n") + ".txt");
        await File.WriteAllTextAsync(scan, "nothing secret here");
        var graphQuery = new GraphQuery("resources | project id, name, type, location, resourceGroup, subscriptionId, tags", new[] { subscription });
        var cleanup = CleanupOptions.Default with { MaxAttempts = 1, FirstBackoff = TimeSpan.FromMilliseconds(10), PerResourceTimeout = TimeSpan.FromSeconds(10) };
        var none = CancellationToken.None;
        var paths = new (string Name, Func<Task> Call)[]
        {
            ("up", () => cloud.UpAsync("staging")),
            ("rotate", () => cloud.Rotator.RotateAsync(cloud.Policy, "dev", false, false, "run", LocalCloud.NoAudit, NullReporter.Instance, none)),
            ("down", () => cloud.Remover.RemoveAsync(cloud.Policy, "dev", false, "run", LocalCloud.NoAudit, NullReporter.Instance, none)),
            ("test", () => cloud.Inspector.InspectAsync(cloud.Policy, "dev", NullReporter.Instance, none)),
            ("read", () => cloud.Reader.ReadAsync(cloud.Policy, "dev", none)),
            ("graph", () => cloud.Services.Graph.QueryPageAsync(graphQuery, null, none)),
            ("cleanup", () => new ManagedResourceCleaner(cloud.Services).DeleteAsync(new[] { up.Environment.AccountId! }, cleanup, "dev", "run", _ => { }, NullReporter.Instance, none)),
            ("cleanup verify", () => new ManagedResourceCleaner(cloud.Services).VerifyAsync(graphQuery, "dev", "run", none)),
            ("exposure scan", () => new Foundry.Engine.Environments.KeyExposureResponder(cloud.Services).ScanAsync(cloud.Policy, "dev", new[] { scan }, NullReporter.Instance, none)),
            ("exposure revoke", () => new Foundry.Engine.Environments.KeyExposureResponder(cloud.Services).RevokeAsync(cloud.Policy, "dev", new[] { "key1" }, false, "run", LocalCloud.NoAudit, NullReporter.Instance, none)),
        };
        var wrong = new List<string>();
        foreach (var (name, call) in paths)
        {
            try
            {
                await call();
                wrong.Add($"{name}: succeeded");
            }
            catch (FoundryEngineException e) when (e.ErrorId == "CloudUnreachable" && e.Kind == FailureKind.Network && !string.IsNullOrEmpty(e.RecommendedAction))
            {
            }
            catch (Exception e)
            {
                wrong.Add($"{name}: {e.GetType().Name} {(e as FoundryEngineException)?.ErrorId} {e.Message.Split('\n')[0]}");
            }
        }
        File.Delete(scan);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
