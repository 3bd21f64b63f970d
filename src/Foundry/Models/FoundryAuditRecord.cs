namespace Foundry.Models;

/// <summary>
/// One audited step, as the information stream carries it (tags Foundry, Audit) and the audit file records it: who
/// did what to which resource, with what result. Never key material (every field passed the secret scrubber).
/// </summary>
public sealed class FoundryAuditRecord
{
    internal FoundryAuditRecord(Engine.Audit.AuditRecord record)
    {
        Time = record.Time;
        Environment = record.Environment;
        Action = record.Action;
        Target = record.Target;
        ResourceId = record.Target;
        Result = record.Result;
        CorrelationId = record.CorrelationId;
        Detail = record.Detail;
    }

    public DateTimeOffset Time { get; }
    public string Environment { get; }
    public string Action { get; }
    /// <summary>What was acted on, as the audit file names it (a resource id; for a secret, its URI).</summary>
    public string Target { get; }
    public string ResourceId { get; }
    public string Result { get; }
    public string CorrelationId { get; }
    public string? Detail { get; }

    /// <summary>The line -InformationAction Continue prints: time, environment, action, result, resource.</summary>
    public override string ToString() => $"{Time:u} {Environment} {Action} {Result}: {ResourceId}{(string.IsNullOrEmpty(Detail) ? "" : $" ({Detail})")}";
}
