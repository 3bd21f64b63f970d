using Foundry.Emulator;
using Foundry.Emulator.Realism;
using Foundry.Emulator.Throttling;
using Foundry.Tests.Support;

namespace Foundry.Tests.LocalCloud;

/// <summary>The token bucket arithmetic with Azure's published sizes, and which profile enforces it.</summary>
public sealed class ArmThrottleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Azure_buckets_hold_250_reads_refilling_25_a_second_and_200_writes_or_deletes_refilling_10()
    {
        var throttle = new ArmThrottle(ThrottlingLimits.Azure());
        for (var i = 0; i < 250; i++) Assert.True(throttle.Charge("sub", "p", OperationKind.Read, Start).Allowed);
        var empty = throttle.Charge("sub", "p", OperationKind.Read, Start);
        Assert.False(empty.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(1.0 / 25), empty.RetryAfter);
        Assert.Equal("1", empty.RetryAfterSeconds);
        // One second later 25 tokens are back: 25 reads pass, the 26th does not.
        var later = Start.AddSeconds(1);
        Assert.Equal(24, throttle.Charge("sub", "p", OperationKind.Read, later).Remaining);
        for (var i = 0; i < 24; i++) Assert.True(throttle.Charge("sub", "p", OperationKind.Read, later).Allowed);
        Assert.False(throttle.Charge("sub", "p", OperationKind.Read, later).Allowed);

        for (var i = 0; i < 200; i++) Assert.True(throttle.Charge("sub", "p", OperationKind.Write, Start).Allowed);
        Assert.False(throttle.Charge("sub", "p", OperationKind.Write, Start).Allowed);
        Assert.Equal(199, throttle.Charge("sub", "p", OperationKind.Delete, Start).Remaining);
        // Buckets are per subscription and per principal.
        Assert.True(throttle.Charge("other-sub", "p", OperationKind.Write, Start).Allowed);
        Assert.True(throttle.Charge("sub", "q", OperationKind.Write, Start).Allowed);
    }

    [Fact]
    public void The_time_scale_speeds_the_refill_and_a_full_bucket_never_overflows()
    {
        var throttle = new ArmThrottle(ThrottlingLimits.Azure(timeScale: 0.1));
        for (var i = 0; i < 200; i++) throttle.Charge(null, "p", OperationKind.Write, Start);
        Assert.False(throttle.Charge(null, "p", OperationKind.Write, Start).Allowed);
        // 10 a second in Azure terms is 100 a local second at 0.1: after 0.5 s, 50 tokens.
        Assert.Equal(49, throttle.Charge(null, "p", OperationKind.Write, Start.AddSeconds(0.5)).Remaining);
        Assert.Equal(199, throttle.Charge(null, "p", OperationKind.Write, Start.AddHours(1)).Remaining);
    }

    [Fact]
    public void Only_the_realistic_profile_enforces_the_buckets_and_the_fast_one_reports_them()
    {
        Assert.False(RealismProfile.Fast.Throttling.Enabled);
        var realistic = RealismProfile.Realistic(0.1).Throttling;
        Assert.True(realistic.Enabled);
        Assert.Equal(0.1, realistic.TimeScale);
        Assert.Equal(new BucketSize(250, 25), realistic.Reads);
        Assert.Equal(new BucketSize(200, 10), realistic.Writes);
        Assert.Equal(new BucketSize(200, 10), realistic.Deletes);
        var fast = new ArmThrottle(ThrottlingLimits.Off);
        for (var i = 0; i < 1000; i++) Assert.Equal(249, fast.Charge("sub", "p", OperationKind.Read, Start).Remaining);
    }

    [Fact]
    public async Task A_realistic_emulator_at_Azures_pace_throttles_a_burst_of_reads_after_about_250()
    {
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { Realism = RealismProfile.Realistic(timeScale: 1) });
        using var http = new HttpClient(LocalTransport.CreateHandler(host.CertificateThumbprint, host.Port)) { BaseAddress = host.ManagementEndpoint };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "burst");
        var first = await http.GetAsync($"/subscriptions/{host.DefaultSubscription}/resourcegroups?api-version=2025-04-01");
        Assert.Equal("249", first.Headers.GetValues("x-ms-ratelimit-remaining-subscription-reads").Single());
        var served = 1;
        while (served < 1000)
        {
            using var response = await http.GetAsync($"/subscriptions/{host.DefaultSubscription}/resourcegroups?api-version=2025-04-01");
            if ((int)response.StatusCode == 429) break;
            served++;
        }
        // 250 tokens plus what refilled (25 a second) while the burst ran.
        Assert.InRange(served, 250, 400);
    }
}
