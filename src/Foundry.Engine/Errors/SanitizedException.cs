using Foundry.Engine.Secrets;

namespace Foundry.Engine.Errors;

/// <summary>
/// The cause of a Foundry error as it may be shown: the original exception's type name, its message without the raw
/// response (Azure.Core appends the service's whole body and headers to a RequestFailedException's message) and
/// scrubbed of key material, its stack trace, and the same for each inner exception. Raw SDK exceptions are never
/// carried into an ErrorRecord: Get-Error and $Error[0].Exception.InnerException expand every property of every
/// exception in the chain, so one raw body quoting a key would show it to anyone reading the error (issue 16).
/// </summary>
public sealed class SanitizedException : Exception
{
    private readonly string? stackTrace;

    private SanitizedException(string originalType, string message, string? stackTrace, int? status, string? errorCode, Exception? inner)
        : base(message, inner)
    {
        OriginalType = originalType;
        this.stackTrace = stackTrace;
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>The full name of the exception this one stands for (e.g. Azure.RequestFailedException).</summary>
    public string OriginalType { get; }

    /// <summary>The HTTP status the original exception carried, when it came from a service.</summary>
    public int? Status { get; }

    /// <summary>The service's error code the original exception carried, when it said.</summary>
    public string? ErrorCode { get; }

    /// <inheritdoc/>
    public override string? StackTrace => stackTrace;

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = $"{OriginalType}: {Message}";
        if (InnerException is not null) text += $" ---> {InnerException}{Environment.NewLine}   --- End of inner exception stack trace ---";
        return stackTrace is null ? text : text + Environment.NewLine + stackTrace;
    }

    /// <summary>
    /// The exception to keep as a cause: Foundry's own errors (already scrubbed when made) as they are, anything else
    /// replaced by a sanitized copy, its inner exceptions too.
    /// </summary>
    public static Exception? From(Exception? exception, int depth = 0) => exception switch
    {
        null => null,
        SanitizedException or FoundryEngineException => exception,
        _ => new SanitizedException(
            exception.GetType().FullName ?? exception.GetType().Name,
            Clean(exception.Message),
            exception.StackTrace is { } trace ? SecretScrubber.Shared.Scrub(trace) : null,
            exception is Azure.RequestFailedException failed ? failed.Status : null,
            exception is Azure.RequestFailedException coded ? coded.ErrorCode : null,
            depth < MaxDepth ? From(exception.InnerException, depth + 1) : null),
    };

    // A cycle-proof bound on the chain; real chains are two or three deep.
    private const int MaxDepth = 8;

    /// <summary>The message up to the raw response Azure.Core appends ("Content:" and "Headers:" sections), scrubbed.</summary>
    internal static string Clean(string message)
    {
        var lines = message.Replace("\r\n", "\n").Split('\n');
        var kept = lines.TakeWhile(line => line.Trim() is not ("Content:" or "Headers:")).ToList();
        while (kept.Count > 0 && kept[kept.Count - 1].Trim().Length == 0) kept.RemoveAt(kept.Count - 1);
        return SecretScrubber.Shared.Scrub(string.Join(Environment.NewLine, kept));
    }
}
