using Microsoft.Extensions.Hosting;

namespace Foundry.Emulator.Hosting;

/// <summary>
/// The emulator's web host reacts to no process signal of its own. The default console lifetime would stop Kestrel
/// on Ctrl+C or SIGTERM wherever the emulator runs — inside a pwsh session's local cloud, a test host, foundry-shell —
/// while whoever hosts it goes on; the host decides when to stop (foundry-shell --emulator: <c>StopSignal</c>).
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
