using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Foundry.Engine.Connection;

/// <summary>
/// One request budget for everything an Engine sends to Resource Manager — every environment of a fleet run and the
/// cleanup alike. Resource Manager meters each principal per subscription in token buckets for reads, writes and
/// deletes and reports what is left in <c>x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}</c>; Resource
/// Graph reports a per-user quota in <c>x-ms-user-quota-remaining</c> / <c>-resets-after</c> ("Understand how Azure
/// Resource Manager throttles requests"; "Guidance for throttled requests in Azure Resource Graph"). Per bucket the
/// budget lets requests run freely (up to <see cref="MaxConcurrency"/> at once) while the bucket is comfortably full;
/// once fewer than <see cref="LowWater"/> tokens are left it lets one request through at a time, spaced by the refill
/// rate it measured from the headers, so the bucket never runs dry; a 429 pauses every request of that bucket for its
/// Retry-After (not just the one the SDK retries), and a refilled bucket opens up again. A fixed limiter
/// (System.Threading.RateLimiting) does not fit: the rate is learnt from the service, not configured.
/// </summary>
internal sealed class RequestBudget
{
    public const int MaxConcurrency = 32;
    public const int LowWater = 20;
    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Requests answered 429 so far (for benchmarks and diagnostics).</summary>
    public int Throttled => buckets.Values.Sum(b => b.Throttled);

    /// <summary>The bucket a request draws from, or null for hosts the budget does not meter (Key Vault, OpenAI).</summary>
    public Bucket? For(Request request, Uri armEndpoint)
    {
        var uri = request.Uri.ToUri();
        if (!uri.Host.Equals(armEndpoint.Host, StringComparison.OrdinalIgnoreCase) || uri.Port != armEndpoint.Port) return null;
        var path = uri.AbsolutePath;
        if (path.IndexOf("/providers/Microsoft.ResourceGraph/", StringComparison.OrdinalIgnoreCase) >= 0) return buckets.GetOrAdd("graph", _ => new Bucket("graph"));
        var segments = path.Split('/');
        var subscription = segments.Length > 2 && segments[1].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) ? segments[2] : "tenant";
        var kind = request.Method == RequestMethod.Get || request.Method == RequestMethod.Head ? "reads" : request.Method == RequestMethod.Delete ? "deletes" : "writes";
        return buckets.GetOrAdd($"{subscription}/{kind}", key => new Bucket(key));
    }

    /// <summary>One metered bucket as the client sees it.</summary>
    internal sealed class Bucket(string name)
    {
        private const int SlowStart = 4;
        private readonly object sync = new();
        private int inFlight;
        private int limit = SlowStart;
        private bool paced;
        private DateTimeOffset pausedUntil;
        private DateTimeOffset nextSend;
        private int? lastRemaining;
        private long sent;
        private (DateTimeOffset Time, int Remaining, long Sent)? snapshot;
        private double tokensPerSecond;
        private int throttled;

        public string Name { get; } = name;
        public int Throttled => Volatile.Read(ref throttled);

        public async Task EnterAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TimeSpan wait;
                lock (sync)
                {
                    var now = DateTimeOffset.UtcNow;
                    if (now < pausedUntil) wait = pausedUntil - now;
                    else if (inFlight >= limit) wait = TimeSpan.FromMilliseconds(2);
                    else if (paced && now < nextSend) wait = nextSend - now;
                    else
                    {
                        inFlight++;
                        sent++;
                        if (paced) nextSend = (nextSend > now - Spacing() ? nextSend : now) + Spacing();
                        return;
                    }
                }
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        public void Exit(Response? response)
        {
            lock (sync)
            {
                inFlight--;
                if (response is null) return;
                var now = DateTimeOffset.UtcNow;
                if (response.Status == 429)
                {
                    throttled++;
                    var retryAfter = RetryAfter(response) ?? TimeSpan.FromSeconds(1);
                    if (now + retryAfter > pausedUntil) pausedUntil = now + retryAfter;
                    paced = true;
                    return;
                }
                if (Remaining(response) is not { } remaining) return;
                lastRemaining = remaining;
                Measure(now, remaining);
                if (Name == "graph" && remaining == 0 && ResetsAfter(response) is { } reset && now + reset > pausedUntil)
                {
                    // Resource Graph's quota is a window: nothing more until it resets.
                    pausedUntil = now + reset;
                }
                // Above the low water: as many at once as the bucket can take without dipping below half of it. At or
                // below: sends spaced by the measured refill, so the bucket hovers there instead of running dry.
                paced = remaining <= LowWater;
                limit = paced ? MaxConcurrency : Math.Max(2, Math.Min(MaxConcurrency, remaining - LowWater / 2));
            }
        }

        /// <summary>The refill rate: tokens left now, less tokens left then, plus what was sent meanwhile, per second.</summary>
        private void Measure(DateTimeOffset now, int remaining)
        {
            if (snapshot is not { } then || remaining > 2 * LowWater)
            {
                // A full bucket hides its refill (tokens beyond the capacity are lost): measure only below it.
                snapshot = (now, remaining, sent);
                return;
            }
            var seconds = (now - then.Time).TotalSeconds;
            if (seconds < 0.25) return;
            var refilled = remaining - then.Remaining + (sent - then.Sent);
            if (refilled > 0) tokensPerSecond = tokensPerSecond == 0 ? refilled / seconds : 0.5 * tokensPerSecond + 0.5 * (refilled / seconds);
            snapshot = (now, remaining, sent);
        }

        /// <summary>One token's refill time, as measured (100 ms — Azure's write refill — until measured).</summary>
        private TimeSpan Spacing()
        {
            var perToken = tokensPerSecond > 0 ? 1 / tokensPerSecond : 0.1;
            // Near empty, a little slower than the refill, so the bucket climbs back.
            var factor = lastRemaining is { } left && left <= LowWater / 4 ? 1.15 : 1.0;
            return TimeSpan.FromSeconds(Math.Min(2, Math.Max(0.001, perToken * factor)));
        }

        private int? Remaining(Response response)
        {
            foreach (var header in new[] { "x-ms-ratelimit-remaining-subscription-reads", "x-ms-ratelimit-remaining-subscription-writes", "x-ms-ratelimit-remaining-subscription-deletes", "x-ms-user-quota-remaining" })
            {
                if (response.Headers.TryGetValue(header, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
            }
            return null;
        }

        private static TimeSpan? RetryAfter(Response response) =>
            response.Headers.TryGetValue("Retry-After", out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : null;

        private static TimeSpan? ResetsAfter(Response response) =>
            response.Headers.TryGetValue("x-ms-user-quota-resets-after", out var text) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var reset) ? reset : null;
    }
}

/// <summary>Puts every Resource Manager request (each attempt, retries included) through the Engine's <see cref="RequestBudget"/>.</summary>
internal sealed class RequestBudgetPolicy(RequestBudget budget, Uri armEndpoint) : HttpPipelinePolicy
{
    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var bucket = budget.For(message.Request, armEndpoint);
        if (bucket is null)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            return;
        }
        await bucket.EnterAsync(message.CancellationToken).ConfigureAwait(false);
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            bucket.Exit(message.HasResponse ? message.Response : null);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();
}
