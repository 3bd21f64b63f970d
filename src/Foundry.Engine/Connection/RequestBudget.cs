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
/// budget mirrors the service's bucket (see <see cref="Bucket"/>) and lets a request go while the mirror stays above a
/// reserve (<see cref="LowWater"/> tokens, less for small buckets), up to <see cref="MaxConcurrency"/> at once, so
/// sends settle at the refill rate it measured from the headers and the bucket never runs dry; a 429 pauses every request of that bucket for its
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

    /// <summary>
    /// One metered bucket as the client sees it: a mirror of the service's bucket. The last answer says how many tokens
    /// were left when the service served that request; every request sent after it may have taken one since, and the
    /// bucket has refilled at the rate measured from the headers. A request goes only while that estimate stays above
    /// a reserve, so sends settle at the refill rate once the bucket is low, however late answers arrive under load.
    /// </summary>
    internal sealed class Bucket(string name)
    {
        private const int SlowStart = 4;
        private readonly object sync = new();
        private int inFlight;
        private DateTimeOffset pausedUntil;
        private long sent;
        private long served;
        private (long Ticket, int Remaining, DateTimeOffset Time)? last;
        private int capacitySeen;
        private (DateTimeOffset Time, int Remaining, long Served)? snapshot;
        private double tokensPerSecond;
        private int throttled;

        public string Name { get; } = name;
        public int Throttled => Volatile.Read(ref throttled);

        /// <summary>Waits for this bucket's turn; returns the request's send ticket for <see cref="Exit"/>.</summary>
        public async Task<long> EnterAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TimeSpan wait;
                lock (sync)
                {
                    var now = DateTimeOffset.UtcNow;
                    if (now < pausedUntil) wait = pausedUntil - now;
                    else if (inFlight >= (last is null ? SlowStart : MaxConcurrency)) wait = TimeSpan.FromMilliseconds(2);
                    else if (TimeToToken(now) is { } untilToken && untilToken > TimeSpan.Zero) wait = untilToken;
                    else
                    {
                        inFlight++;
                        return sent++;
                    }
                }
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        public void Exit(long ticket, Response? response)
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
                    // The mirror was wrong: nothing is left until the pause ends.
                    last = (sent - 1, 0, now + retryAfter);
                    return;
                }
                if (Remaining(response) is not { } remaining) return;
                served++;
                capacitySeen = Math.Max(capacitySeen, remaining);
                // Under load, answers overtake one another: an answer to a request sent before the one last applied
                // reports a bucket that has drained since; the mirror already counts what was sent after it.
                if (last is { } newest && ticket < newest.Ticket) return;
                last = (ticket, remaining, now);
                Measure(now, remaining);
                if (Name == "graph" && remaining == 0 && ResetsAfter(response) is { } reset && now + reset > pausedUntil)
                {
                    // Resource Graph's quota is a window: nothing more until it resets.
                    pausedUntil = now + reset;
                }
            }
        }

        /// <summary>How long until the mirror holds a token above the reserve (zero or less: now).</summary>
        private TimeSpan? TimeToToken(DateTimeOffset now)
        {
            if (last is not { } known) return null;
            // Tokens the last answer reported, less every request sent after it, plus the refill since.
            // A little under the measured rate: answers bunched by a stalled client make a measurement run high.
            var refill = tokensPerSecond > 0 ? 0.9 * tokensPerSecond : DefaultRefillPerSecond;
            var estimate = known.Remaining - (sent - 1 - known.Ticket) + refill * Math.Max(0, (now - known.Time).TotalSeconds);
            var reserve = Math.Min(LowWater, capacitySeen / 4);
            var missing = reserve + 1 - estimate;
            return missing <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(2, missing / refill));
        }

        /// <summary>Azure's write bucket refills 10 tokens a second: the rate assumed until one is measured.</summary>
        private const double DefaultRefillPerSecond = 10;

        /// <summary>
        /// The refill rate: tokens left now, less tokens left then, plus the requests the service served meanwhile, per
        /// second. Served, not sent: requests still in flight have not taken their token yet, and counting them
        /// overstates the refill by as many as are in flight — under load, enough to drain the bucket.
        /// </summary>
        private void Measure(DateTimeOffset now, int remaining)
        {
            if (snapshot is not { } then || remaining > 2 * LowWater)
            {
                // A full bucket hides its refill (tokens beyond the capacity are lost): measure only below it.
                snapshot = (now, remaining, served);
                return;
            }
            var seconds = (now - then.Time).TotalSeconds;
            if (seconds < 0.5) return; // a longer window evens out answers that arrive in bunches
            var refilled = remaining - then.Remaining + (served - then.Served);
            if (refilled > 0) tokensPerSecond = tokensPerSecond == 0 ? refilled / seconds : 0.5 * tokensPerSecond + 0.5 * (refilled / seconds);
            snapshot = (now, remaining, served);
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
        var ticket = await bucket.EnterAsync(message.CancellationToken).ConfigureAwait(false);
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            bucket.Exit(ticket, message.HasResponse ? message.Response : null);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();
}
