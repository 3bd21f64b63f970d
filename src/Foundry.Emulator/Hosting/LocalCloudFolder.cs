using System.Diagnostics;
using Foundry.Emulator.Control;

namespace Foundry.Emulator.Hosting;

/// <summary>
/// The local cloud of one state folder (state.json, connection.json), safe for several processes at once: exactly one
/// of them runs the emulator (it holds <c>emulator.lock</c>, loads state.json and alone writes connection.json); the
/// others join it through connection.json for their command line (holding <c>clients.lock</c> shared), and the owner
/// stops only once no joined process is left. A process that arrives while the owner starts or stops waits.
/// </summary>
public sealed class LocalCloudFolder : IAsyncDisposable
{
    public const string StateFileName = "state.json";
    public const string ConnectionFileName = "connection.json";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private readonly FolderLock? joinClaim;
    private readonly Action<string>? notice;

    private LocalCloudFolder(string folder, EmulatorHost? host, EmulatorControlClient? client, FolderLock? joinClaim, Action<string>? notice)
    {
        Folder = folder;
        Host = host;
        Client = client;
        this.joinClaim = joinClaim;
        this.notice = notice;
    }

    public string Folder { get; }
    public string ConnectionFile => Path.Combine(Folder, ConnectionFileName);

    /// <summary>The emulator, when this process runs it; null when it joined another process's.</summary>
    public EmulatorHost? Host { get; }

    /// <summary>The running emulator's control surface, when this process joined it.</summary>
    public EmulatorControlClient? Client { get; }

    public bool Joined => Host is null;

    /// <summary>Subscriptions of the running local cloud.</summary>
    public IReadOnlyList<string> Subscriptions => Host?.Subscriptions ?? Client!.Connection.Subscriptions;

    /// <summary>
    /// Runs the folder's emulator, or joins the one another process runs there. With <paramref name="mustOwn"/> (a
    /// long-running emulator for pwsh users) it never joins: it waits until it can run the emulator itself.
    /// </summary>
    /// <param name="options">How to start the emulator if this process runs it; its state and connection files are set here.</param>
    /// <param name="timeout">How long to wait for another process's emulator to finish starting or stopping.</param>
    /// <param name="notice">Told once when this process has to wait (the shell prints it).</param>
    public static async Task<LocalCloudFolder> OpenAsync(string folder, EmulatorOptions options, bool mustOwn, TimeSpan timeout,
        Action<string>? notice = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        folder = Path.GetFullPath(folder);
        options.StateFile = Path.Combine(folder, StateFileName);
        options.ConnectionFile = Path.Combine(folder, ConnectionFileName);
        var clock = Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Null while the owner is stopping: then its emulator is going away and this process runs the next one.
            var claim = FolderLock.TryJoin(folder);
            if (claim is not null)
            {
                try
                {
                    var host = await EmulatorHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
                    claim.Dispose();
                    return new LocalCloudFolder(folder, host, null, null, notice);
                }
                catch (EmulatorFolderInUseException)
                {
                    // Another process runs it: join, once its connection file names a live emulator.
                }
                catch
                {
                    claim.Dispose();
                    throw;
                }
                if (!mustOwn && await LiveEmulatorAsync(options.ConnectionFile, cancellationToken).ConfigureAwait(false) is { } client)
                {
                    return new LocalCloudFolder(folder, null, client, claim, notice);
                }
                claim.Dispose();
            }
            if (!told)
            {
                var owner = EmulatorConnection.TryRead(options.ConnectionFile)?.ProcessId;
                notice?.Invoke(mustOwn
                    ? $"Waiting for the local cloud that {(owner is null ? "another process" : $"process {owner}")} runs on '{folder}' to stop…"
                    : $"Waiting for the local cloud on '{folder}' to finish starting or stopping…");
                told = true;
            }
            if (!mustOwn && clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The local cloud on '{folder}' did not become available within {timeout.TotalSeconds:0} s (another process holds {FolderLock.EmulatorLockName}).");
            }
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Makes sure a customer's Function App exists, in this process's emulator or the joined one.</summary>
    public async Task EnsureFunctionAppAsync(string subscriptionId, string resourceGroup, string name, string location)
    {
        if (Host is not null) Host.EnsureFunctionApp(subscriptionId, resourceGroup, name, location);
        else await Client!.EnsureFunctionAppAsync(subscriptionId, resourceGroup, name, location).ConfigureAwait(false);
    }

    /// <summary>A joined process lets go; the owner waits until no joined process is left, then stops the emulator.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Host is null)
        {
            Client?.Dispose();
            joinClaim?.Dispose();
            return;
        }
        FolderLock? closing;
        var told = false;
        while ((closing = FolderLock.TryClose(Folder)) is null)
        {
            if (!told) notice?.Invoke($"Waiting for the other foundry-shell runs using the local cloud on '{Folder}' to finish…");
            told = true;
            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
        using (closing)
        {
            await Host.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A client for the emulator the connection file names, when its process is alive and it answers with that file's token.</summary>
    private static async Task<EmulatorControlClient?> LiveEmulatorAsync(string connectionFile, CancellationToken cancellationToken)
    {
        if (EmulatorConnection.TryRead(connectionFile) is not { } connection || !IsRunning(connection.ProcessId)) return null;
        var client = new EmulatorControlClient(connection);
        if (await client.AnswersAsync(cancellationToken).ConfigureAwait(false)) return client;
        client.Dispose();
        return null;
    }

    internal static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
