using System.Collections.Concurrent;

namespace Foundry.Emulator.Control;

/// <summary>
/// How long each kind of long-running operation takes before its status turns terminal. Zero (the default)
/// means the first poll already sees the end, so tests do not wait; benchmarks set seconds to mimic Azure.
/// Keys are "{provider}/{type}:{action}", e.g. "Microsoft.CognitiveServices/accounts:create".
/// </summary>
public sealed class OperationTimings
{
    private readonly ConcurrentDictionary<string, TimeSpan> durations = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Default { get; set; } = TimeSpan.Zero;

    /// <summary>The realism profile's durations (kept across <see cref="Clear"/>); a key set here overrides them.</summary>
    public Func<string, TimeSpan?>? Baseline { get; set; }

    public void Set(string key, TimeSpan duration) => durations[key] = duration;

    public TimeSpan For(string key) => durations.TryGetValue(key, out var d) ? d : Baseline?.Invoke(key) ?? Default;

    public void Clear()
    {
        durations.Clear();
        Default = TimeSpan.Zero;
    }
}
