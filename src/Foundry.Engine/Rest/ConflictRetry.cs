using Foundry.Engine.Errors;
using Polly;
using Polly.Retry;

namespace Foundry.Engine.Rest;

/// <summary>
/// Retries writes Azure refused because another operation holds the resource (Cognitive Services answers 409
/// RequestConflict while any operation on the account runs). Exponential backoff with jitter, bounded attempts;
/// every other failure passes straight through.
/// </summary>
internal static class ConflictRetry
{
    public static ResiliencePipeline Create(TimeSpan firstDelay, int maxAttempts = 6) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<FoundryEngineException>(e => e.ErrorId == EngineErrorIds.OperationConflict),
                MaxRetryAttempts = maxAttempts,
                Delay = firstDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
}
