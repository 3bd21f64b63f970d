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

    /// <summary>The longest an operation may be told to take: a day is far beyond any Azure operation a test mimics.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public TimeSpan Default { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// A duration in seconds from the control surface, or null when it is not a number from 0 to <see cref="MaxDuration"/>
    /// (a larger one would overflow the clock when an operation starts and turn every later create into a 500).
    /// </summary>
    public static TimeSpan? Parse(System.Text.Json.Nodes.JsonNode? value)
    {
        if (value is not System.Text.Json.Nodes.JsonValue number || number.GetValueKind() != System.Text.Json.JsonValueKind.Number) return null;
        var seconds = number.GetValue<double>();
        return double.IsFinite(seconds) && seconds >= 0 && seconds <= MaxDuration.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }

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
