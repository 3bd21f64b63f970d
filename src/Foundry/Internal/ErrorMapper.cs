using System.Management.Automation;
using Foundry.Engine;
using Foundry.Engine.Secrets;

namespace Foundry.Internal;

/// <summary>Turns Engine failures into ErrorRecords: the Engine's stable id, a category per kind, the resource as target, and the recommended action.</summary>
internal static class ErrorMapper
{
    /// <param name="e">The failure.</param>
    /// <param name="fallbackTarget">The target when the failure names no resource.</param>
    /// <param name="environmentTarget">An environment of a fleet run (-ThrottleLimit above 1): the target whatever the failure names, so errors group by environment.</param>
    public static ErrorRecord ToErrorRecord(FoundryEngineException e, object? fallbackTarget, string? environmentTarget = null)
    {
        var record = new ErrorRecord(e, e.ErrorId, Category(e), environmentTarget ?? e.Target ?? fallbackTarget);
        var reference = string.Join("; ", new[]
        {
            e.ErrorCode is null ? null : $"ErrorCode: {e.ErrorCode}",
            e.Status is null ? null : $"Status: {e.Status}",
            e.RequestId is null ? null : $"RequestId: {e.RequestId}",
        }.Where(s => s is not null));
        // Scrubbed again: a key read after the exception was made (another task of the same run) is known now.
        var message = SecretScrubber.Shared.Scrub(reference.Length == 0 ? e.Message : $"{e.Message} ({reference})");
        record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = SecretScrubber.Shared.Scrub(e.RecommendedAction ?? "") };
        return record;
    }

    public static ErrorCategory Category(FoundryEngineException e) => e.Kind switch
    {
        FailureKind.NotFound => ErrorCategory.ObjectNotFound,
        FailureKind.Unauthorized => ErrorCategory.AuthenticationError,
        FailureKind.Forbidden => ErrorCategory.PermissionDenied,
        FailureKind.Conflict when e.ErrorId is "AccountNameSoftDeleted" or "NameNotAvailable" or "SecretDeletedButRecoverable" => ErrorCategory.ResourceExists,
        FailureKind.Conflict => ErrorCategory.ResourceBusy,
        FailureKind.InvalidRequest => ErrorCategory.InvalidArgument,
        FailureKind.Throttled => ErrorCategory.LimitsExceeded,
        FailureKind.QuotaExceeded => ErrorCategory.QuotaExceeded,
        FailureKind.ServiceUnavailable => ErrorCategory.ResourceUnavailable,
        FailureKind.Timeout => ErrorCategory.OperationTimeout,
        FailureKind.Network => ErrorCategory.ConnectionError,
        _ => ErrorCategory.NotSpecified,
    };
}
