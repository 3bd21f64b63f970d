using Foundry.Emulator.State;

namespace Foundry.Emulator.Hosting;

/// <summary>
/// An advisory lock on a file in a state folder, held as long as the stream is open and dropped by the OS when the
/// process dies (flock on Unix, share modes on Windows), so a killed emulator never leaves a folder locked.
/// <list type="bullet">
/// <item><c>emulator.lock</c>, exclusive: held by the one process that runs the emulator on the folder's state.json.</item>
/// <item><c>clients.lock</c>, shared by each process that joined that emulator for one command line; the emulator's
/// process takes it exclusively before it stops, so it never stops under a joined process's feet.</item>
/// </list>
/// </summary>
internal sealed class FolderLock : IDisposable
{
    public const string EmulatorLockName = "emulator.lock";
    public const string ClientsLockName = "clients.lock";

    private readonly FileStream stream;

    private FolderLock(FileStream stream) => this.stream = stream;

    /// <summary>The right to run the folder's emulator, or null while another process has it.</summary>
    public static FolderLock? TryOwnEmulator(string folder) => TryTake(Path.Combine(folder, EmulatorLockName), exclusive: true);

    /// <summary>A joined process's claim on the running emulator, or null while its owner is stopping it.</summary>
    public static FolderLock? TryJoin(string folder) => TryTake(Path.Combine(folder, ClientsLockName), exclusive: false);

    /// <summary>The owner's claim that no joined process is using the emulator any more, or null while one is.</summary>
    public static FolderLock? TryClose(string folder) => TryTake(Path.Combine(folder, ClientsLockName), exclusive: true);

    private static FolderLock? TryTake(string path, bool exclusive)
    {
        PrivateFile.CreateFolder(Path.GetDirectoryName(path)!);
        try
        {
            // FileShare.None is an exclusive lock; read access shared with everyone is a shared one.
            return new FolderLock(exclusive
                ? new FileStream(path, PrivateFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
                : new FileStream(path, PrivateFile.CreateOptions(FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite)));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (OperatingSystem.IsWindows())
        {
            return null; // Windows reports a file held open without sharing this way on some file systems.
        }
    }

    public void Dispose() => stream.Dispose();
}
