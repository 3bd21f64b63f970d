using System.Diagnostics;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Foundry.Engine.Environments;

namespace Foundry.Engine.Connection;

/// <summary>
/// -Debug's HTTP trace, as Az's -Debug shows it: one line per request attempt with method, URL, status, duration and
/// the request ids support asks for (x-ms-request-id, x-ms-correlation-request-id, the client request id). Redacted:
/// every query value but a few harmless ones (api-version, $top, $expand), all headers other than those ids (so never
/// Authorization or api-key), and every body (listKeys, regenerateKey and secrets carry keys: only its size is told).
/// The lines go to the reporter the current command attached with <see cref="ReportTo"/>.
/// </summary>
public static class HttpTrace
{
    private static readonly AsyncLocal<IEngineDebugReporter?> Current = new();

    /// <summary>Sends the HTTP trace of the calling asynchronous flow (and what it starts) to <paramref name="reporter"/>, when it takes debug detail.</summary>
    public static void ReportTo(IEngineReporter? reporter) => Current.Value = reporter as IEngineDebugReporter;

    internal static IEngineDebugReporter? Reporter => Current.Value;

    private static readonly HashSet<string> ShownQueryParameters = new(StringComparer.OrdinalIgnoreCase) { "api-version", "$top", "$expand" };

    /// <summary>The URL with every query value but the harmless ones replaced by REDACTED.</summary>
    public static string RedactedUrl(Uri uri)
    {
        if (uri is null) throw new ArgumentNullException(nameof(uri));
        var text = new StringBuilder(uri.GetLeftPart(UriPartial.Path));
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) return text.ToString();
        var separator = '?';
        foreach (var pair in query.Split('&'))
        {
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair.Substring(0, equals);
            var shownName = Uri.UnescapeDataString(name);
            text.Append(separator).Append(name);
            if (equals >= 0) text.Append('=').Append(ShownQueryParameters.Contains(shownName) ? pair.Substring(equals + 1) : "REDACTED");
            separator = '&';
        }
        return text.ToString();
    }

    internal static string Describe(HttpMessage message, TimeSpan elapsed, Exception? failure)
    {
        var request = message.Request;
        var line = new StringBuilder("HTTP ").Append(request.Method.Method).Append(' ').Append(RedactedUrl(request.Uri.ToUri()));
        if (failure is not null)
        {
            line.Append(" -> no response (").Append(failure.GetType().Name).Append(") after ").Append((long)elapsed.TotalMilliseconds).Append(" ms");
        }
        else
        {
            var response = message.Response;
            line.Append(" -> ").Append(response.Status).Append(' ').Append(response.ReasonPhrase).Append(" in ").Append((long)elapsed.TotalMilliseconds).Append(" ms");
            foreach (var header in new[] { "x-ms-request-id", "x-ms-correlation-request-id" })
            {
                if (response.Headers.TryGetValue(header, out var value)) line.Append("; ").Append(header).Append(": ").Append(value);
            }
            if (response.ContentStream is { CanSeek: true } body) line.Append("; body ").Append(body.Length).Append(" bytes (not shown)");
        }
        line.Append("; client request id: ").Append(request.ClientRequestId);
        return line.ToString();
    }
}

/// <summary>The pipeline policy behind <see cref="HttpTrace"/>: per retry, so every attempt (429s, 5xx) shows.</summary>
internal sealed class HttpTracePolicy : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var reporter = HttpTrace.Reporter;
        if (reporter is null)
        {
            ProcessNext(message, pipeline);
            return;
        }
        var watch = Stopwatch.StartNew();
        try
        {
            ProcessNext(message, pipeline);
        }
        catch (Exception e)
        {
            reporter.Debug(HttpTrace.Describe(message, watch.Elapsed, e));
            throw;
        }
        reporter.Debug(HttpTrace.Describe(message, watch.Elapsed, null));
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var reporter = HttpTrace.Reporter;
        if (reporter is null)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            return;
        }
        var watch = Stopwatch.StartNew();
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            reporter.Debug(HttpTrace.Describe(message, watch.Elapsed, e));
            throw;
        }
        reporter.Debug(HttpTrace.Describe(message, watch.Elapsed, null));
    }
}
