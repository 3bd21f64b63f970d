using System.Diagnostics;
using Polly;
using Polly.Retry;

namespace Foundry.Engine.Environments;

/// <summary>
/// Azure RBAC assignments take a minute or more to reach the data plane (Key Vault documents up to 10): right after
/// Foundry grants a role, a 403 (ForbiddenByRbac) is expected for a while. Key Vault access policies lag alike
/// (terraform-provider-azurerm#9125): right after accessPolicies/add the vault answers 403 (AccessDenied). Both are
/// FailureKind.Forbidden, so one wait covers them. Data-plane calls retry Forbidden with
/// exponential backoff (from the polling interval, at most 15 s apart) until the propagation timeout, then fail as
/// they are: a handful of requests per propagation instead of one every polling interval.
/// </summary>
internal static class Propagation
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(15);

    public static async Task<T> RetryForbiddenAsync<T>(Func<Task<T>> call, EngineTimings timings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var pipeline = new ResiliencePipelineBuilder<T>()
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = new PredicateBuilder<T>().Handle<FoundryEngineException>(e => e.Kind == FailureKind.Forbidden && started.Elapsed < timings.PropagationTimeout),
                MaxRetryAttempts = int.MaxValue,
                Delay = timings.PollingInterval,
                MaxDelay = LongestWait,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
        return await pipeline.ExecuteAsync(async _ => await call().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }
}
