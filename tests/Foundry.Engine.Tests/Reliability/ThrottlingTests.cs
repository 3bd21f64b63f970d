using Foundry.Emulator.Control;
using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;
using Xunit.Abstractions;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// 429 storms: a share of Resource Manager and Key Vault reads and writes answered 429 with Retry-After while up,
/// rotate and down run. Every command completes, and every retry waited at least what Retry-After asked.
/// </summary>
public sealed class ThrottlingTests(ITestOutputHelper output)
{
    private const int RetryAfterSeconds = 1;

    /// <summary>
    /// A storm on a share of one command's reads and writes: each rule answers 429 to the first matching request it
    /// draws (30 % of them) and then stops, so no single request is throttled more often than the client retries.
    /// </summary>
    private static void Storm(LocalCloud cloud, string write)
    {
        cloud.Host.Cloud.Faults.Clear();
        foreach (var (method, service) in new[] { ("GET", ServiceKind.Management), (write, ServiceKind.Management), ("GET", ServiceKind.KeyVault) })
        {
            cloud.Host.Cloud.Faults.Add(new FaultRule
            {
                Method = method, Service = service, PathPattern = ".", Status = 429, Code = "TooManyRequests", RetryAfterSeconds = RetryAfterSeconds, Probability = 0.3, Count = 1,
            });
        }
    }

    [Fact]
    public async Task Up_rotate_and_down_complete_through_429_storms_and_each_retry_waits_the_Retry_After()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var mark = cloud.Mark;

        Storm(cloud, "PUT");
        var up = await cloud.UpAsync("pr-55");
        Assert.Equal("Resolved", up.Environment.Apps.Single().ReferenceStatus);
        Storm(cloud, "POST");
        var rotation = await cloud.Rotator.RotateAsync(cloud.Policy, "pr-55", false, false, "rotate", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Equal(new[] { "func-contoso-pr" }, rotation.AppsConfirmed);
        Storm(cloud, "DELETE");
        var down = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-55", false, "down", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Equal("Verified", down.Status);

        var requests = cloud.Host.Cloud.Log.All.Skip(mark).ToList();
        var throttled = requests.Select((r, i) => (Request: r, Index: i)).Where(x => x.Request.Status == 429).ToList();
        Assert.True(throttled.Count >= 7, $"the storms must have hit reads and writes ({throttled.Count} throttled)");
        Assert.Contains(throttled, t => t.Request.Method == "GET");
        Assert.Contains(throttled, t => t.Request.Method is "PUT" or "POST" or "DELETE");
        foreach (var (request, index) in throttled)
        {
            var retry = requests.Skip(index + 1).FirstOrDefault(r => r.Method == request.Method && r.Host == request.Host && r.PathAndQuery == request.PathAndQuery);
            Assert.True(retry is not null, $"{request.Method} {request.PathAndQuery} was never retried");
            var gap = retry!.Time - request.Time;
            // The log's clock and the client's timer differ by scheduling only: allow 50 ms.
            Assert.True(gap >= TimeSpan.FromSeconds(RetryAfterSeconds) - TimeSpan.FromMilliseconds(50), $"{request.Method} {request.PathAndQuery} was retried after {gap.TotalMilliseconds:F0} ms, before its Retry-After");
        }
        output.WriteLine($"{requests.Count} requests, {throttled.Count} answered 429 (Retry-After: {RetryAfterSeconds}), shortest gap before the retry " +
                         $"{throttled.Min(t => (requests.Skip(t.Index + 1).First(r => r.Method == t.Request.Method && r.Host == t.Request.Host && r.PathAndQuery == t.Request.PathAndQuery).Time - t.Request.Time).TotalMilliseconds):F0} ms");
    }
}
