namespace Foundry.Engine;

/// <summary>What went wrong, decided where the Azure details are known; the cmdlets map it to an ErrorCategory.</summary>
public enum FailureKind
{
    /// <summary>Anything not classified below.</summary>
    Unknown,
    /// <summary>The input was refused before any call (or with 400).</summary>
    InvalidRequest,
    /// <summary>401: no valid credential.</summary>
    Unauthorized,
    /// <summary>403: the caller lacks a permission.</summary>
    Forbidden,
    /// <summary>404.</summary>
    NotFound,
    /// <summary>409: a conflicting state or operation.</summary>
    Conflict,
    /// <summary>429 after retries.</summary>
    Throttled,
    /// <summary>Quota exhausted.</summary>
    QuotaExceeded,
    /// <summary>5xx after retries.</summary>
    ServiceUnavailable,
    /// <summary>An operation did not finish in time.</summary>
    Timeout,
    /// <summary>The service could not be reached.</summary>
    Network,
}
