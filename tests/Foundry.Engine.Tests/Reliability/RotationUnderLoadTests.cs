using Foundry.Emulator.Control;
using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// Zero-downtime rotation: app clients call chat completions without pause, each with the key its app's Key Vault
/// reference resolves at that moment, while rotations run. The guard (rotate only once every app resolves the current
/// version) keeps failures at 0; forcing twice before the app refreshed regenerates the key it still uses, and the
/// same load sees it fail — which shows the measurement can fail.
/// </summary>
public sealed class RotationUnderLoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Site = "func-contoso-dev";
    private const string Setting = "AZURE_OPENAI_API_KEY";

    private static Task<RotationRecord> RotateAsync(LocalCloud cloud, bool force = false) =>
        cloud.Rotator.RotateAsync(cloud.Policy, "dev", force, whatIf: false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    [Fact]
    public async Task Twenty_rotations_under_continuous_load_fail_no_request()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        var keysSeen = new HashSet<string>();

        await using (var load = AppLoad.Start(cloud, Site, Setting, up.Environment.Endpoint!, "gpt-4o", clientCount: 4))
        {
            await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));
            for (var i = 0; i < 20; i++)
            {
                var rotation = await RotateAsync(cloud);
                Assert.Equal(new[] { Site }, rotation.AppsConfirmed);
                keysSeen.Add(cloud.ResolvedValue(Site, Setting)!);
                // Clients keep calling between rotations (an app holds a key for a moment before it sends it): each
                // finishes what it read before this rotation, so the next one regenerating that slot fails no request.
                await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));
                await load.WaitForEveryClientAsync(TimeSpan.FromSeconds(10));
            }
            Assert.True(load.Failed == 0, $"{load.Failed} failed requests of {load.Failed + load.Succeeded}: {string.Join(" | ", load.FailureSamples)}");
            Assert.True(load.Succeeded >= 21 * 20, $"the load must have run throughout ({load.Succeeded} calls)");
            output.WriteLine($"20 rotations under 4 clients: {load.Succeeded + load.Failed} chat requests, {load.Failed} failed");
        }
        Assert.Equal(20, keysSeen.Count); // every rotation put a new key in front of the app
    }

    [Fact]
    public async Task Forcing_two_rotations_before_the_app_refreshed_fails_requests_under_the_same_load()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");

        await using var load = AppLoad.Start(cloud, Site, Setting, up.Environment.Endpoint!, "gpt-4o", clientCount: 4);
        await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));
        // The app cannot refresh: it keeps resolving key1 while the secret moves on.
        var blocked = cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "POST", PathPattern = $"{Site}/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable" });
        var first = await RotateAsync(cloud, force: true);
        Assert.Equal(new[] { Site }, first.AppsPending);
        await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));
        Assert.Equal(0, load.Failed); // one rotation alone is safe: the app's key1 still works

        var unsafeRotation = await RotateAsync(cloud, force: true); // regenerates key1, which the app still sends
        Assert.Equal(("key2", "key1"), (unsafeRotation.PreviousSlot, unsafeRotation.NewSlot));
        var failureSeen = await Task.WhenAny(load.FirstFailure, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(failureSeen == load.FirstFailure, "regenerating the key the app still uses must fail its requests");
        Assert.True(load.Failed > 0);
        Assert.Contains(load.FailureSamples, s => s.StartsWith("401", StringComparison.Ordinal));
        output.WriteLine($"forced twice before the refresh: {load.Failed} failed requests so far of {load.Succeeded + load.Failed}");

        // Without -Force the guard refuses that second rotation: nothing fails.
        cloud.Host.Cloud.Faults.Remove(blocked.Id);
        await cloud.UpAsync("dev"); // refreshes the stale app
        await load.WaitForProgressAsync(50, TimeSpan.FromSeconds(10)); // requests that read the old key before the refresh have landed
        var failedBefore = load.Failed;
        cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "POST", PathPattern = $"{Site}/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable" });
        await RotateAsync(cloud);
        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => RotateAsync(cloud));
        Assert.Equal(KeyRotator.KeyRotationUnsafe, refused.ErrorId);
        await load.WaitForProgressAsync(20, TimeSpan.FromSeconds(10));
        Assert.Equal(failedBefore, load.Failed);
    }
}
