using System.Diagnostics;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Resources;
using Foundry.Emulator;
using Foundry.Emulator.Throttling;
using Foundry.Engine.Connection;
using Foundry.Engine.Tests.Lifecycle;
using Xunit.Abstractions;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// The shared request budget against the emulator's Resource Manager token buckets (a small write bucket: 60 tokens,
/// refilling 50 per second): a burst of writes from many tasks at once drains the bucket to its low water, then runs
/// at the refill rate — next to no 429 — where the same burst without the budget draws a 429 storm.
/// </summary>
public sealed class RequestBudgetTests(ITestOutputHelper output)
{
    private const int Writes = 150;

    private static EmulatorOptions SmallWriteBucket() => new()
    {
        Throttling = ThrottlingLimits.Azure(timeScale: 1) with { Writes = new BucketSize(60, 50) },
    };

    private static async Task<(int Throttled, int Failed, TimeSpan Wall)> BurstAsync(LocalCloud cloud, RequestBudget? budget)
    {
        var arm = cloud.ArmClientWith(budget is null ? null : new RequestBudgetPolicy(budget, cloud.Host.ManagementEndpoint));
        var subscription = arm.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(cloud.Subscription));
        var mark = cloud.Mark;
        var failed = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Writes).Select(async i =>
        {
            try
            {
                await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, $"rg-budget-{(budget is null ? "off" : "on")}-{i}", new ResourceGroupData(AzureLocation.EastUS));
            }
            catch (RequestFailedException)
            {
                Interlocked.Increment(ref failed);
            }
        }));
        watch.Stop();
        var throttled = cloud.Host.Cloud.Log.All.Skip(mark).Count(r => r.Status == 429);
        return (throttled, failed, watch.Elapsed);
    }

    [Fact]
    public async Task A_burst_of_writes_through_the_budget_stays_within_the_bucket_where_the_same_burst_without_it_draws_429s()
    {
        await using var scope = await LocalCloudScope.StartAsync(SmallWriteBucket());
        var cloud = scope.Value;

        var without = await BurstAsync(cloud, null);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the bucket refills (60 tokens at 50/s)
        var budget = new RequestBudget();
        var with = await BurstAsync(cloud, budget);

        // The floor the bucket allows: what does not fit in the full bucket comes at the refill rate.
        var floor = TimeSpan.FromSeconds((Writes - 60) / 50.0);
        output.WriteLine($"{Writes} writes at once, bucket 60 refilling 50/s (floor {floor.TotalSeconds:0.00} s): without the budget {without.Throttled} answered 429, {without.Failed} failed, {without.Wall.TotalSeconds:0.00} s; " +
                         $"with it {with.Throttled} answered 429, {with.Failed} failed, {with.Wall.TotalSeconds:0.00} s ({with.Wall.TotalSeconds / floor.TotalSeconds:0.00} × the floor)");
        Assert.True(without.Throttled >= 10, $"the burst without the budget should have drawn a 429 storm ({without.Throttled})");
        Assert.Equal(0, with.Failed);
        Assert.True(with.Throttled <= 3, $"{with.Throttled} requests were answered 429 through the budget");
        Assert.Equal(with.Throttled, budget.Throttled);
        Assert.True(with.Wall < floor * 2.5 + TimeSpan.FromSeconds(0.5), $"the budget took {with.Wall.TotalSeconds:0.00} s for a floor of {floor.TotalSeconds:0.00} s: too timid");
    }
}
