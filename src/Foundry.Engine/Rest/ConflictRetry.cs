using Foundry.Engine.Errors;
using Polly;

namespace Foundry.Engine.Rest;

/// <summary>
/// Retries writes Azure refused because another operation holds the resource (Cognitive Services answers 409
/// RequestConflict while any operation on the account runs). Exponential backoff with jitter, bounded attempts;
/// every other failure passes straight through.
/// </summary>
internal static class ConflictRetry
{
    public static ResiliencePipeline Create(TimeSpan firstDelay, int maxAttempts = 6) =>
        BoundedBackoff.Create<FoundryEngineException>(e => e.ErrorId == EngineErrorIds.OperationConflict, firstDelay, TimeSpan.FromSeconds(30), maxAttempts);
}
