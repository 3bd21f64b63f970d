using Foundry.Engine.Audit;

namespace Foundry.Engine.Environments;

/// <summary>
/// How long-running Engine work talks to its host while it runs on background tasks. Implementations must be
/// thread-safe: the cmdlets queue these and write them on the pipeline thread. Text is scrubbed before it gets here.
/// </summary>
public interface IEngineReporter
{
    /// <summary>A step started or moved on (progress bar status).</summary>
    void Progress(string activity, string status);

    /// <summary>Detail for -Verbose.</summary>
    void Verbose(string message);

    /// <summary>Something the operator should know but that does not stop the run.</summary>
    void Warning(string message);

    /// <summary>An audited step (also written to the audit file by the Engine).</summary>
    void Audit(AuditRecord record);
}

/// <summary>A reporter that drops everything (tests, callers without a UI).</summary>
public sealed class NullReporter : IEngineReporter
{
    /// <summary>The instance.</summary>
    public static NullReporter Instance { get; } = new();

    /// <inheritdoc/>
    public void Progress(string activity, string status)
    {
    }

    /// <inheritdoc/>
    public void Verbose(string message)
    {
    }

    /// <inheritdoc/>
    public void Warning(string message)
    {
    }

    /// <inheritdoc/>
    public void Audit(AuditRecord record)
    {
    }
}
