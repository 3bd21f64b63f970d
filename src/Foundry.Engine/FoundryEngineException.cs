namespace Foundry.Engine;

/// <summary>
/// The one exception the Engine throws. It carries Azure's status, error code and request id as plain values,
/// so nothing of Azure.Core crosses into the cmdlet assembly. The cause stays as the inner exception, sanitized
/// (<see cref="Errors.SanitizedException"/>): its type, scrubbed message and stack, never the raw response it quoted.
/// </summary>
public sealed class FoundryEngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FoundryEngineException(FailureKind kind, string errorId, string message, string? recommendedAction = null,
        int? status = null, string? errorCode = null, string? requestId = null, string? target = null, Exception? inner = null, TimeSpan? retryAfter = null)
        : base(Secrets.SecretScrubber.Shared.Scrub(message), Errors.SanitizedException.From(inner))
    {
        RetryAfter = retryAfter;
        Kind = kind;
        ErrorId = errorId;
        RecommendedAction = recommendedAction;
        Status = status;
        ErrorCode = errorCode;
        RequestId = requestId;
        Target = target;
    }

    /// <summary>The class of failure.</summary>
    public FailureKind Kind { get; }

    /// <summary>A stable PascalCase id for this code path (never server text).</summary>
    public string ErrorId { get; }

    /// <summary>What the operator can do about it.</summary>
    public string? RecommendedAction { get; }

    /// <summary>The HTTP status, when a service answered.</summary>
    public int? Status { get; }

    /// <summary>Azure's error code (e.g. InsufficientQuota), when a service answered.</summary>
    public string? ErrorCode { get; }

    /// <summary>The x-ms-request-id to quote to support.</summary>
    public string? RequestId { get; }

    /// <summary>How long the service asked callers to wait (Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The resource id (or input) the failure is about.</summary>
    public string? Target { get; }
}
