using Polly;
using Polly.Retry;

namespace Foundry.Engine.Rest;

/// <summary>
/// The one retry shape Foundry uses for Azure's "not yet, try again" answers (409 while another operation holds the
/// resource, 409 while Key Vault finishes a delete): exponential backoff with jitter from a first delay, capped
/// between tries, bounded attempts; every failure the predicate does not name passes straight through.
/// </summary>
internal static class BoundedBackoff
{
    public static ResiliencePipeline Create<TException>(Func<TException, bool> shouldRetry, TimeSpan firstDelay, TimeSpan maxDelay, int maxAttempts)
        where TException : Exception =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle(shouldRetry),
                MaxRetryAttempts = maxAttempts,
                Delay = firstDelay,
                MaxDelay = maxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
}
