namespace Foundry.Engine.Environments;

/// <summary>
/// Azure RBAC assignments take minutes to reach the data plane: right after Foundry grants a role, a 403 is
/// expected for a while. Data-plane calls retry Forbidden until the propagation timeout, then fail as they are.
/// </summary>
internal static class Propagation
{
    public static async Task<T> RetryForbiddenAsync<T>(Func<Task<T>> call, EngineTimings timings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (FoundryEngineException e) when (e.Kind == FailureKind.Forbidden && DateTimeOffset.UtcNow - started < timings.PropagationTimeout)
            {
                await Task.Delay(timings.PollingInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
