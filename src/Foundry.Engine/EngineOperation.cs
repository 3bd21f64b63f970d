using Azure;
using Azure.Core;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine;

/// <summary>
/// A long-running Azure operation, owned by the Engine so no Azure.Core type crosses into the cmdlets. The cmdlet
/// polls it on the pipeline thread (progress, Ctrl+C); <see cref="WaitAsync"/> serves callers without a UI.
/// Polling follows the service's Retry-After and falls back to the configured interval.
/// </summary>
public sealed class EngineOperation
{
    private readonly Operation operation;
    private readonly FailureContext context;
    private readonly TimeSpan fallbackInterval;

    internal EngineOperation(Operation operation, string resourceId, FailureContext context, TimeSpan fallbackInterval)
    {
        this.operation = operation;
        ResourceId = resourceId;
        this.context = context;
        this.fallbackInterval = fallbackInterval;
        Started = DateTimeOffset.UtcNow;
    }

    /// <summary>The resource the operation acts on.</summary>
    public string ResourceId { get; }

    /// <summary>When polling started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Whether the operation has ended (successfully; failures throw).</summary>
    public bool HasCompleted => operation.HasCompleted;

    /// <summary>A short status for progress: the HTTP status of the last poll and how long it has run.</summary>
    public string Status => $"{(HasCompleted ? "Completed" : "Running")} ({DateTimeOffset.UtcNow - Started:mm\\:ss})";

    /// <summary>
    /// How long to wait before the next poll: the service's Retry-After, else the fallback interval — at most one
    /// second during an operation's first seconds, since many (account creation, a vault's DNS registration) send no
    /// Retry-After and end within seconds, and a fixed longer sleep would overshoot them.
    /// </summary>
    public TimeSpan NextPollDelay
    {
        get
        {
            var response = operation.GetRawResponse();
            if (response.Headers.TryGetValue("Retry-After", out var value) &&
                int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }
            return DateTimeOffset.UtcNow - Started < QuickPollingPeriod && fallbackInterval > QuickPollInterval ? QuickPollInterval : fallbackInterval;
        }
    }

    private static readonly TimeSpan QuickPollingPeriod = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QuickPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Polls once.</summary>
    public async Task UpdateStatusAsync(CancellationToken cancellationToken)
    {
        if (operation.HasCompleted) return;
        try
        {
            await operation.UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, context);
        }
        catch (System.Net.Http.HttpRequestException e)
        {
            throw AzureErrors.Unreachable(context, e);
        }
    }

    /// <summary>Polls until done, honouring Retry-After.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
            if (HasCompleted) return;
            await Task.Delay(NextPollDelay, cancellationToken).ConfigureAwait(false);
        }
    }
}
