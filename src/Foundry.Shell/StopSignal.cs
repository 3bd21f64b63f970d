using System.Runtime.InteropServices;

namespace Foundry.Shell;

/// <summary>
/// Ctrl+C and SIGTERM (kill, docker stop, service managers) for the long-running <c>--emulator</c>. Registered before
/// the emulator starts, so before its connection file exists: a stop sent at any moment, even while the emulator is
/// still seeding, ends the process cleanly and removes the file. Registered only once serving began, a SIGTERM sent in
/// between was taken by the web host's own handler, which stopped Kestrel while the shell went on waiting: the process
/// hung until killed.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConsoleCancelEventHandler cancelKey;
    private readonly PosixSignalRegistration terminate;

    public StopSignal()
    {
        cancelKey = (_, e) =>
        {
            e.Cancel = true;
            stopped.TrySetResult();
        };
        Console.CancelKeyPress += cancelKey;
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
    }

    /// <summary>Completes at the first Ctrl+C or SIGTERM.</summary>
    public Task Stopped => stopped.Task;

    public void Dispose()
    {
        Console.CancelKeyPress -= cancelKey;
        terminate.Dispose();
    }
}
