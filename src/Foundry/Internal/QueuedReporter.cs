using System.Collections.Concurrent;
using Foundry.Engine.Audit;
using Foundry.Engine.Environments;

namespace Foundry.Internal;

/// <summary>
/// Collects what the Engine reports from its background tasks; the cmdlet writes it on the pipeline thread. Every text
/// passes the Engine's secret scrubber once more on the way, so no stream can carry a key even if a message slipped.
/// </summary>
internal sealed class QueuedReporter : IEngineDebugReporter
{
    public ConcurrentQueue<(string Kind, string Text, object? Data)> Messages { get; } = new();

    private static string Clean(string text) => Foundry.Engine.Secrets.SecretScrubber.Shared.Scrub(text);

    public void Progress(string activity, string status) => Messages.Enqueue(("progress", Clean(status), activity));

    public void Verbose(string message) => Messages.Enqueue(("verbose", Clean(message), null));

    /// <summary>-Debug detail (the HTTP trace), scrubbed like everything else.</summary>
    public void Debug(string message) => Messages.Enqueue(("debug", Clean(message), null));

    public void Warning(string message) => Messages.Enqueue(("warning", Clean(message), null));

    /// <summary>An output object produced on a background task, written to the pipeline in order.</summary>
    public void Output(object item) => Messages.Enqueue(("object", "", item));

    public void Audit(AuditRecord record) => Messages.Enqueue(("audit", Clean($"{record.Action} {record.Result}: {record.Target}"), record));
}
