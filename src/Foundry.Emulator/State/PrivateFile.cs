using System.Text;

namespace Foundry.Emulator.State;

/// <summary>
/// Files that hold keys, secret values or the control token (state.json, connection.json): created readable by the
/// owner only (0600 on Unix, whatever the umask) and replaced whole by write-then-rename, so a reader never sees half
/// a file and a crash mid-write leaves the previous version.
/// </summary>
public static class PrivateFile
{
    /// <summary>Owner read and write: what every file the local cloud writes is created with.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="content"/> to a fresh 0600 file beside <paramref name="path"/>, then renames it over the target.</summary>
    public static void WriteAllText(string path, string content) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(content));

    /// <summary>Writes <paramref name="content"/> to a fresh 0600 file beside <paramref name="path"/>, then renames it over the target.</summary>
    public static void WriteAllBytes(string path, byte[] content)
    {
        var full = Path.GetFullPath(path);
        CreateFolder(Path.GetDirectoryName(full)!);
        // A unique temp name: two writers (which the folder lock should prevent) never share a half-written file.
        var temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():n}.tmp";
        try
        {
            using (var stream = new FileStream(temp, CreateOptions(FileMode.CreateNew)))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Options that create a file 0600 on Unix (UnixCreateMode is ignored by the OS for an existing file).</summary>
    public static FileStreamOptions CreateOptions(FileMode mode, FileAccess access = FileAccess.Write, FileShare share = FileShare.None)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open && mode != FileMode.Truncate) options.UnixCreateMode = OwnerOnly;
        return options;
    }

    /// <summary>Creates a folder for local-cloud files: 0700 on Unix when this call creates it.</summary>
    public static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, OwnerOnly | UnixFileMode.UserExecute);
    }
}
