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

    /// <summary>
    /// Who holds an environment lease taken under this lock (machine, process, lock instance): a lease claim with this
    /// holder while the lock is held is a leftover of an earlier run here (see EnvironmentLease).
    /// </summary>
    public string Holder { get; } = $"{System.Environment.MachineName}/{System.Diagnostics.Process.GetCurrentProcess().Id}/{Guid.NewGuid().ToString("n").Substring(0, 8)}";

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
