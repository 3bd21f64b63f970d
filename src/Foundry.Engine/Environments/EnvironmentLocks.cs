using System.Collections.Concurrent;

namespace Foundry.Engine.Environments;

/// <summary>
/// One writer per environment within this process: runs that change the same environment (two runspaces,
/// ForEach-Object -Parallel, a runbook's jobs) wait for each other, so the second finds the first's work done instead
/// of racing it to a second secret version. Runs in other processes are not seen here; up's steps tolerate those
/// (an account another run is creating is waited for, a secret version another run wrote with the same key is accepted).
/// </summary>
internal sealed class EnvironmentLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> gates = new(StringComparer.OrdinalIgnoreCase);

    public static EnvironmentLocks ThisProcess { get; } = new();

    public async Task<IDisposable> AcquireAsync(string subscription, string environment, IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var gate = gates.GetOrAdd($"{subscription}/{environment}", _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            reporter.Progress(environment, "Waiting for another run on this environment to finish");
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return new Held(gate);
    }

    private sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) gate.Release();
        }
    }
}
