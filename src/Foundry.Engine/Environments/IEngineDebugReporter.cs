namespace Foundry.Engine.Environments;

/// <summary>
/// A reporter that also takes debug detail (-Debug): the HTTP exchange of every request the engine makes
/// (<see cref="Connection.HttpTrace"/>). A reporter without it gets no HTTP trace.
/// </summary>
public interface IEngineDebugReporter : IEngineReporter
{
    /// <summary>Detail for -Debug; never key material (the caller redacts).</summary>
    void Debug(string message);
}
