using Foundry.Engine.Environments;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>Keeps the warnings an engine call reports.</summary>
internal sealed class WarningRecorder : IEngineReporter
{
    private readonly List<string> messages = new();

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (messages) return messages.ToList();
        }
    }

    public void Progress(string activity, string status) { }
    public void Verbose(string message) { }
    public void Warning(string message)
    {
        lock (messages) messages.Add(message);
    }
    public void Audit(Foundry.Engine.Audit.AuditRecord record) { }
}
