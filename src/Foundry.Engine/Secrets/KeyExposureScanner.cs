using Foundry.Engine.Accounts;

namespace Foundry.Engine.Secrets;

/// <summary>One place a key was found: file, 1-based line and column, which slot, and a preview with the key masked.</summary>
public sealed record KeyExposureFinding(string Path, int Line, int Column, string KeySlot, string Preview);

/// <summary>What a scan looked at and found.</summary>
/// <param name="Findings">Every occurrence of either key, in file order.</param>
/// <param name="FilesScanned">Text files read.</param>
/// <param name="FilesSkipped">Files left out: binary, larger than the limit, or unreadable.</param>
public sealed record KeyExposureScanResult(IReadOnlyList<KeyExposureFinding> Findings, int FilesScanned, IReadOnlyList<string> FilesSkipped);

/// <summary>
/// Looks for an account's two keys, verbatim, in files: source trees, logs, .env files, minified bundles. The keys stay
/// in this object; what leaves it is a path, a position and a preview in which the key (and any 8-character fragment of
/// either key) is masked, so a finding can be printed in a CI log.
/// </summary>
public sealed class KeyExposureScanner
{
    /// <summary>Files larger than this are skipped (build output and logs are far smaller; disk images are not text).</summary>
    public const long DefaultMaxFileBytes = 64L * 1024 * 1024;

    /// <summary>Characters of context kept on each side of a finding in its preview (minified lines are megabytes long).</summary>
    public const int PreviewContext = 40;

    private const int SniffBytes = 8192;
    private static readonly HashSet<string> SkippedDirectories = new(StringComparer.OrdinalIgnoreCase) { ".git", ".hg", ".svn" };

    private readonly (string Slot, string Key)[] keys;
    private readonly SecretScrubber scrubber = new();
    private readonly long maxFileBytes;

    internal KeyExposureScanner(string key1, string key2, long maxFileBytes = DefaultMaxFileBytes)
    {
        if (string.IsNullOrEmpty(key1) || string.IsNullOrEmpty(key2)) throw new ArgumentException("Both keys are needed to scan for them.");
        keys = new[] { ("key1", key1), ("key2", key2) };
        scrubber.Register(key1);
        scrubber.Register(key2);
        this.maxFileBytes = maxFileBytes;
    }

    internal static KeyExposureScanner For(AccountKeys accountKeys) => new(accountKeys[KeySlot.Key1], accountKeys[KeySlot.Key2]);

    /// <summary>Scans files and folders (recursively, skipping .git and reparse points); a missing path is an argument error.</summary>
    public KeyExposureScanResult Scan(IEnumerable<string> paths, Action<string>? onFolder, CancellationToken cancellationToken)
    {
        if (paths is null) throw new ArgumentNullException(nameof(paths));
        var findings = new List<KeyExposureFinding>();
        var skipped = new List<string>();
        var scanned = 0;
        foreach (var path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path)) throw new ArgumentException($"'{path}' is neither a file nor a folder.", nameof(paths));
            foreach (var file in File.Exists(path) ? new[] { path } : FilesUnder(path, onFolder))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (ScanFile(file, findings, cancellationToken)) scanned++;
                else skipped.Add(file);
            }
        }
        return new KeyExposureScanResult(findings, scanned, skipped);
    }

    /// <summary>The line around <paramref name="column"/> (0-based) with every occurrence of either key replaced by its slot marker.</summary>
    internal string Preview(string line, int column, int length)
    {
        var start = Math.Max(0, column - PreviewContext);
        var end = Math.Min(line.Length, column + length + PreviewContext);
        // A key crossing the window's edge would leave part of itself in the preview: widen the window over it first.
        for (var widened = true; widened;)
        {
            widened = false;
            foreach (var (_, key) in keys)
            {
                for (var at = line.IndexOf(key, Math.Max(0, start - key.Length + 1), StringComparison.Ordinal); at >= 0 && at < end; at = line.IndexOf(key, at + 1, StringComparison.Ordinal))
                {
                    if (at >= start && at + key.Length <= end) continue;
                    start = Math.Min(start, at);
                    end = Math.Max(end, at + key.Length);
                    widened = true;
                }
            }
        }
        var window = line.Substring(start, end - start);
        foreach (var (slot, key) in keys) window = window.Replace(key, $"[REDACTED {slot}]");
        return scrubber.Scrub((start > 0 ? "…" : "") + window.Trim() + (end < line.Length ? "…" : ""));
    }

    private bool ScanFile(string file, List<KeyExposureFinding> findings, CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > maxFileBytes) return false;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
            if (LooksBinary(stream)) return false;
            stream.Position = 0;
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var number = 0;
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                number++;
                if ((number & 0x3FF) == 0) cancellationToken.ThrowIfCancellationRequested();
                foreach (var (slot, key) in keys)
                {
                    for (var at = line.IndexOf(key, StringComparison.Ordinal); at >= 0; at = line.IndexOf(key, at + key.Length, StringComparison.Ordinal))
                    {
                        findings.Add(new KeyExposureFinding(file, number, at + 1, slot, Preview(line, at, key.Length)));
                    }
                }
            }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>NUL bytes in the first 8 KB mean binary, unless a UTF-16/32 byte-order mark says the file is text.</summary>
    private static bool LooksBinary(Stream stream)
    {
        var buffer = new byte[SniffBytes];
        var read = 0;
        for (int n; read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0;) read += n;
        if (read >= 2 && ((buffer[0] == 0xFF && buffer[1] == 0xFE) || (buffer[0] == 0xFE && buffer[1] == 0xFF))) return false;
        return Array.IndexOf(buffer, (byte)0, 0, read) >= 0;
    }

    private static IEnumerable<string> FilesUnder(string root, Action<string>? onFolder)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            onFolder?.Invoke(folder);
            string[] files, folders;
            try
            {
                files = Directory.GetFiles(folder);
                folders = Directory.GetDirectories(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files) yield return file;
            Array.Sort(folders, StringComparer.Ordinal);
            for (var i = folders.Length - 1; i >= 0; i--)
            {
                var name = Path.GetFileName(folders[i]);
                // Symbolic links and junctions can loop or lead out of the tree being checked.
                if (SkippedDirectories.Contains(name) || new DirectoryInfo(folders[i]).Attributes.HasFlag(FileAttributes.ReparsePoint)) continue;
                pending.Push(folders[i]);
            }
        }
    }
}
