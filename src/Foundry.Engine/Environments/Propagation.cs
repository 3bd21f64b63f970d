using System.Diagnostics;
using Polly;
using Polly.Retry;

namespace Foundry.Engine.Environments;

/// <summary>
/// Azure RBAC assignments take a minute or more to reach the data plane (Key Vault documents up to 10): right after
/// Foundry grants a role, a 403 (ForbiddenByRbac) is expected for a while. Key Vault access policies lag alike
/// (terraform-provider-azurerm#9125): right after accessPolicies/add the vault answers 403 (AccessDenied). Both are
/// FailureKind.Forbidden, so one wait covers them. Data-plane calls retry Forbidden with exponential backoff (from
/// half a second, at most 15 s apart) until the propagation timeout, then fail as they are: a handful of requests per
/// propagation instead of one every polling interval. The first retries come quickly because up grants roles as soon
/// as the vault exists, so by the time the secret is written (after the account and its deployments) the assignment
/// has usually propagated or is about to: a first wait of the polling interval (2 s) overshot the propagation by
/// seconds on the critical path (the realistic up benchmark: 1.21-1.32 × the critical path, a 403 20 ms before the
/// role took effect and the next try 2.8 s later).
/// </summary>
internal static class Propagation
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(500);

    public static async Task<T> RetryForbiddenAsync<T>(Func<Task<T>> call, EngineTimings timings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var pipeline = new ResiliencePipelineBuilder<T>()
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = new PredicateBuilder<T>().Handle<FoundryEngineException>(e => e.Kind == FailureKind.Forbidden && started.Elapsed < timings.PropagationTimeout),
                MaxRetryAttempts = int.MaxValue,
                Delay = timings.PollingInterval < FirstWait ? timings.PollingInterval : FirstWait,
                MaxDelay = LongestWait,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
        return await pipeline.ExecuteAsync(async _ => await call().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }
}
