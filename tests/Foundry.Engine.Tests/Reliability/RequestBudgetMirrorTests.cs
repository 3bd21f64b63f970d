using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Foundry.Engine.Connection;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// The budget's mirror of one bucket, driven by hand: answers that arrive out of order under load must not open the
/// budget on stale news. Found when CI, under load, drew 12 answers of 429 through the budget in a 150-write burst:
/// the answer to an early request (reporting a nearly full bucket) arrived after later ones and let a burst through.
/// </summary>
public sealed class RequestBudgetMirrorTests
{
    private static async Task<int> AdmittedWithinAsync(RequestBudget.Bucket bucket, int tries, TimeSpan window, List<long> tickets)
    {
        using var stop = new CancellationTokenSource(window);
        var admitted = 0;
        for (var i = 0; i < tries; i++)
        {
            try
            {
                tickets.Add(await bucket.EnterAsync(stop.Token));
                admitted++;
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return admitted;
    }

    [Fact]
    public async Task An_answer_that_arrives_after_newer_ones_does_not_let_a_burst_through()
    {
        var bucket = new RequestBudget.Bucket("sub/writes");
        var tickets = new List<long>();
        // The first answer: 59 tokens left of a 60-token bucket.
        tickets.Add(await bucket.EnterAsync(CancellationToken.None));
        bucket.Exit(tickets[0], new HeaderResponse(200, 59));
        // 32 requests go out; the service serves them in order, the newest reporting 27 left.
        tickets.Clear();
        Assert.Equal(32, await AdmittedWithinAsync(bucket, 32, TimeSpan.FromSeconds(5), tickets));
        bucket.Exit(tickets[^1], new HeaderResponse(200, 27));
        // The answers to the others arrive after it, the first one reporting the bucket as it was then (58 left).
        for (var i = 0; i < tickets.Count - 1; i++) bucket.Exit(tickets[i], new HeaderResponse(200, 58 - i));

        // 27 tokens left, a reserve of 15 (a quarter of the 60 seen): about 12 more may go now, not a fresh burst of 32.
        var more = await AdmittedWithinAsync(bucket, 40, TimeSpan.FromMilliseconds(150), []);
        Assert.InRange(more, 8, 15);
    }

    [Fact]
    public async Task Requests_sent_after_the_last_answer_count_against_the_bucket_until_answered()
    {
        var bucket = new RequestBudget.Bucket("sub/deletes");
        var first = await bucket.EnterAsync(CancellationToken.None);
        bucket.Exit(first, new HeaderResponse(200, 59));
        // 32 go out and end without an answer (the connection dropped): each may still have taken a token.
        var tickets = new List<long>();
        Assert.Equal(32, await AdmittedWithinAsync(bucket, 32, TimeSpan.FromSeconds(5), tickets));
        foreach (var ticket in tickets) bucket.Exit(ticket, null);

        // 59 - 32 = 27 left at most, a reserve of 15: about 12 more now, not another 32.
        var more = await AdmittedWithinAsync(bucket, 40, TimeSpan.FromMilliseconds(150), []);
        Assert.InRange(more, 8, 15);
    }

    /// <summary>A Resource Manager answer carrying only its status and the remaining-writes header.</summary>
    private sealed class HeaderResponse(int status, int remaining) : Response
    {
        private const string Header = "x-ms-ratelimit-remaining-subscription-writes";
        public override int Status => status;
        public override string ReasonPhrase => status == 200 ? "OK" : "Too Many Requests";
        public override Stream? ContentStream { get; set; }
        public override string ClientRequestId { get; set; } = "";
        public override void Dispose() { }
        protected override bool ContainsHeader(string name) => name.Equals(Header, StringComparison.OrdinalIgnoreCase);
        protected override IEnumerable<HttpHeader> EnumerateHeaders() => [new HttpHeader(Header, remaining.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value)
        {
            value = ContainsHeader(name) ? remaining.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return value is not null;
        }
        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = TryGetHeader(name, out var value) ? [value] : null;
            return values is not null;
        }
    }
}
