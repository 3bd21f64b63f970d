using Foundry.Emulator.Control;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>The request log keeps what tests count and check, but a long-running emulator's memory stays flat however large the bodies.</summary>
public sealed class RequestLogBoundTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Forty_one_megabyte_PUTs_leave_a_bounded_log_that_still_counts_and_shows_each_request()
    {
        using var http = emulator.Authorized();
        var big = new string('x', 1024 * 1024);
        const int Puts = 40;
        for (var i = 0; i < Puts; i++)
        {
            await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-big-{i}?api-version=2025-04-01",
                $"{{\"location\":\"eastus\",\"properties\":{{\"padding\":\"{big}\"}}}}");
        }

        var log = emulator.Host.Cloud.Log;
        var records = log.All.Where(r => r.PathAndQuery.Contains("/resourcegroups/rg-big-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Puts, records.Count);
        var retained = records.Sum(r => (long)(r.RequestBody?.Length ?? 0) + (r.ResponseBody?.Length ?? 0));
        // 40 MB were sent; what is kept of them is each body's start, a few megabytes at most.
        Assert.True(retained < 4 * 1024 * 1024, $"the log holds {retained:N0} characters of the 40 large bodies");
        Assert.All(records, r => Assert.StartsWith("{\"location\":\"eastus\"", r.RequestBody));
        Assert.All(records, r => Assert.Equal("PUT", r.Method));
    }

    [Fact]
    public async Task A_request_is_in_the_log_by_the_time_its_answer_reaches_the_client()
    {
        // Tests mark the log after a call returns and count what follows; a record appended after the answer was sent
        // landed behind such a mark and read as a later write (seen as a phantom step of up on a loaded machine). The
        // race is timing-bound, so the old pipeline fails this only sometimes; hundreds of calls make that likely.
        using var http = emulator.Authorized();
        var log = emulator.Host.Cloud.Log;
        var late = 0;
        for (var i = 0; i < 400; i++)
        {
            var before = log.All.Count(r => r.PathAndQuery.Contains("/resourcegroups/rg-log-order", StringComparison.Ordinal));
            await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-log-order?api-version=2025-04-01", "{\"location\":\"eastus\"}");
            var after = log.All.Count(r => r.PathAndQuery.Contains("/resourcegroups/rg-log-order", StringComparison.Ordinal));
            if (after != before + 1) late++;
        }
        Assert.Equal(0, late);
    }

    [Fact]
    public void Beyond_its_record_or_body_budget_the_log_drops_the_oldest_and_keeps_counting()
    {
        var log = new RequestLog(maxRecords: 5, maxRetainedBodyChars: 3 * RequestLog.MaxBodyChars);
        for (var i = 0; i < 12; i++)
        {
            log.Add(new RequestRecord(DateTimeOffset.UtcNow, ServiceKind.Management, "PUT", "localhost", $"/r/{i}", 200, true, "p",
                i % 2 == 0 ? new string('b', RequestLog.MaxBodyChars * 2) : "{}", null));
        }
        Assert.Equal(12, log.Served);
        Assert.Equal(12, log.MutatingCount);
        Assert.True(log.All.Count <= 5);
        Assert.Equal("/r/11", log.All[^1].PathAndQuery);
        Assert.True(log.RetainedBodyChars <= 3 * RequestLog.MaxBodyChars + RequestLog.MaxBodyChars);
        Assert.All(log.All.Where(r => r.RequestBody!.Length > 2), r => Assert.True(r.BodyTruncated && r.RequestBody!.Length == RequestLog.MaxBodyChars));
    }
}
