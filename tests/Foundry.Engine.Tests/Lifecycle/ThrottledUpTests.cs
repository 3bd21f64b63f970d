using Foundry.Emulator;
using Foundry.Emulator.Throttling;
using Xunit.Abstractions;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// The engine against Resource Manager throttling as Azure meters it, with buckets shrunk so that an up must hit
/// empty ones: every 429 is waited out (Retry-After, through Azure.Core's retry) and the environment still converges.
/// </summary>
public sealed class ThrottledUpTests(ITestOutputHelper output)
{
    private static readonly ThrottlingLimits Tiny = ThrottlingLimits.Azure() with
    {
        Reads = new BucketSize(6, 6),
        Writes = new BucketSize(3, 6),
        Deletes = new BucketSize(3, 6),
    };

    [Fact]
    public async Task Up_completes_through_429s_and_a_re_run_is_converged()
    {
        await using var cloud = await LocalCloudScope.StartAsync(new EmulatorOptions { Throttling = Tiny });
        await cloud.Value.CreateAppAsync("func-contoso-dev");

        var result = await cloud.Value.UpAsync("dev");

        var log = cloud.Value.Host.Cloud.Log.All;
        var throttled = log.Count(r => r.Status == 429);
        output.WriteLine($"{log.Count} requests, {throttled} answered 429");
        Assert.True(throttled >= 1, $"an up against buckets of 6 reads and 3 writes must meet a 429 ({log.Count} requests)");
        Assert.All(log.Where(r => r.Status == 429), r => Assert.Equal("1", r.ResponseHeaders!["Retry-After"]));
        Assert.Equal("Resolved", Assert.Single(result.Environment.Apps).ReferenceStatus);

        var mark = cloud.Value.Mark;
        var again = await cloud.Value.UpAsync("dev");
        Assert.Empty(again.Changes);
        Assert.Equal(0, cloud.Value.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating && r.Status < 400));
    }
}
