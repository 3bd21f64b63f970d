using System.Text;
using System.Text.Json;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.Audit;

/// <summary>
/// Writes audit records as JSON lines to a file (the -AuditLogPath parameter or FOUNDRY_AUDIT_LOG) and hands each
/// one to an observer (the cmdlets turn it into an information-stream record with tags). Records are scrubbed of
/// registered secrets before either sees them.
/// </summary>
public sealed class AuditLog
{
    /// <summary>The environment variable naming the audit file when no path is passed.</summary>
    public const string PathVariable = "FOUNDRY_AUDIT_LOG";

    private static readonly JsonSerializerOptions Format = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly object FileLock = new();
    private readonly string? path;
    private readonly Action<AuditRecord>? observer;
    private readonly SecretScrubber scrubber;

    /// <summary>Creates an audit log; with no path and no observer it records nothing.</summary>
    public AuditLog(string? path, Action<AuditRecord>? observer = null, SecretScrubber? scrubber = null)
    {
        this.path = string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);
        this.observer = observer;
        this.scrubber = scrubber ?? SecretScrubber.Shared;
    }

    /// <summary>The audit file path from the parameter, else from <see cref="PathVariable"/>, else none.</summary>
    public static string? ResolvePath(string? parameter) =>
        !string.IsNullOrWhiteSpace(parameter) ? parameter : Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnv ? fromEnv : null;

    /// <summary>Records one step.</summary>
    public void Write(AuditRecord record)
    {
        if (record is null) throw new ArgumentNullException(nameof(record));
        var clean = record with
        {
            Environment = scrubber.Scrub(record.Environment),
            Action = scrubber.Scrub(record.Action),
            Target = scrubber.Scrub(record.Target),
            Result = scrubber.Scrub(record.Result),
            CorrelationId = scrubber.Scrub(record.CorrelationId),
            Detail = record.Detail is null ? null : scrubber.Scrub(record.Detail),
        };
        if (path is not null)
        {
            var line = JsonSerializer.Serialize(clean, Format) + "\n";
            lock (FileLock)
            {
                var folder = Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                AppendPrivately(path, line);
            }
        }
        observer?.Invoke(clean);
    }

    // The audit file names environments, resources and principals: created readable by its owner only (0600 on Unix).
    private static void AppendPrivately(string file, string line)
    {
        var bytes = new UTF8Encoding(false).GetBytes(line);
#if NET
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(file, options);
#else
        using var stream = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
#endif
        stream.Write(bytes, 0, bytes.Length);
    }
}
