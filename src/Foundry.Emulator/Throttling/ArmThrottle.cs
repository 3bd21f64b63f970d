using System.Globalization;

namespace Foundry.Emulator.Throttling;

/// <summary>
/// The token buckets of one local cloud: one per (subscription or tenant, principal, kind of operation), created
/// full on first use. Each request takes one token; an empty bucket refuses until a token has refilled.
/// </summary>
public sealed class ArmThrottle(ThrottlingLimits limits)
{
    private readonly Dictionary<(string Scope, string Principal, OperationKind Kind), Bucket> buckets = new();

    public ThrottlingLimits Limits { get; } = limits;

    /// <summary>Takes a token for a request (when enforcement is on) and says what is left.</summary>
    public ThrottleDecision Charge(string? subscriptionId, string principal, OperationKind kind, DateTimeOffset now)
    {
        var size = Limits.For(kind);
        if (!Limits.Enabled) return new ThrottleDecision(true, size.Capacity - 1, TimeSpan.Zero);
        var refillPerLocalSecond = size.RefillPerSecond / Limits.TimeScale;
        var key = ((subscriptionId ?? "tenant").ToLowerInvariant(), principal, kind);
        lock (buckets)
        {
            if (!buckets.TryGetValue(key, out var bucket))
            {
                bucket = new Bucket { Tokens = size.Capacity, LastRefill = now };
                buckets[key] = bucket;
            }
            var elapsed = Math.Max(0, (now - bucket.LastRefill).TotalSeconds);
            bucket.Tokens = Math.Min(size.Capacity, bucket.Tokens + elapsed * refillPerLocalSecond);
            bucket.LastRefill = now;
            if (bucket.Tokens < 1)
            {
                var wait = TimeSpan.FromSeconds((1 - bucket.Tokens) / refillPerLocalSecond);
                return new ThrottleDecision(false, 0, wait);
            }
            bucket.Tokens -= 1;
            return new ThrottleDecision(true, (int)Math.Floor(bucket.Tokens), TimeSpan.Zero);
        }
    }

    /// <summary>Forgets every bucket (a control-surface reset starts a fresh cloud).</summary>
    public void Clear()
    {
        lock (buckets) buckets.Clear();
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }
        public DateTimeOffset LastRefill { get; set; }
    }
}

/// <summary>Whether a request may run, the whole tokens left, and how long to wait when it may not.</summary>
public readonly record struct ThrottleDecision(bool Allowed, int Remaining, TimeSpan RetryAfter)
{
    /// <summary>Retry-After as Resource Manager sends it: whole seconds, at least 1.</summary>
    public string RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
