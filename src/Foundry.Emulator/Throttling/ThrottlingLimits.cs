namespace Foundry.Emulator.Throttling;

/// <summary>
/// Resource Manager's request limits as Azure publishes them ("Understand how Azure Resource Manager throttles
/// requests", the regional token-bucket architecture of 2024): per subscription (or tenant), per principal and per
/// kind of operation, a bucket of tokens that refills at a fixed rate — reads 250 tokens refilling 25/s, writes and
/// deletes 200 refilling 10/s. Resource Graph gives each user a quota of 15 queries per 5-second window
/// ("Guidance for throttled requests in Azure Resource Graph"). Refill rates and the Graph window run at
/// <see cref="TimeScale"/>: with 0.1 a bucket refills ten times faster locally, as every realistic delay is ten times shorter.
/// </summary>
public sealed record ThrottlingLimits
{
    /// <summary>Whether Resource Manager buckets refuse requests with 429 (headers then report the real tokens left).</summary>
    public bool Enabled { get; init; }

    /// <summary>Local duration = Azure duration × this; refill per local second = Azure refill ÷ this.</summary>
    public double TimeScale { get; init; } = 1;

    public BucketSize Reads { get; init; } = new(250, 25);
    public BucketSize Writes { get; init; } = new(200, 10);
    public BucketSize Deletes { get; init; } = new(200, 10);

    /// <summary>Resource Graph queries a principal may send per <see cref="GraphWindow"/> (enforced in every profile, as before).</summary>
    public int GraphQueriesPerWindow { get; init; } = 15;

    /// <summary>Resource Graph's quota window in Azure terms (not scaled unless <see cref="ScaleGraphWindow"/>).</summary>
    public TimeSpan GraphWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the Graph window shrinks with <see cref="TimeScale"/> too (off: Azure's 5 s, which every client sees).</summary>
    public bool ScaleGraphWindow { get; init; }

    /// <summary>No Resource Manager throttling (the fast profile): headers still carry Azure's full bucket less one.</summary>
    public static ThrottlingLimits Off { get; } = new();

    /// <summary>Azure's published buckets, enforced, with refill scaled by <paramref name="timeScale"/> (the realistic profile).</summary>
    public static ThrottlingLimits Azure(double timeScale = 1) => new() { Enabled = true, TimeScale = timeScale };

    public BucketSize For(OperationKind kind) => kind switch
    {
        OperationKind.Read => Reads,
        OperationKind.Delete => Deletes,
        _ => Writes,
    };

    /// <summary>The Graph quota window as it runs locally.</summary>
    public TimeSpan LocalGraphWindow => ScaleGraphWindow ? TimeSpan.FromTicks((long)(GraphWindow.Ticks * TimeScale)) : GraphWindow;
}

/// <summary>A token bucket's capacity and its refill per second, in Azure terms.</summary>
public sealed record BucketSize(int Capacity, double RefillPerSecond);

/// <summary>Resource Manager meters reads (GET, HEAD and read-only POSTs), writes and deletes separately.</summary>
public enum OperationKind
{
    Read,
    Write,
    Delete,
}
