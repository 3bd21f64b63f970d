namespace Foundry.Emulator.Control;

/// <summary>The active fault rules. Thread-safe; the first matching rule that fires wins.</summary>
public sealed class FaultInjector
{
    private readonly List<FaultRule> rules = new();
    private readonly Random random = new(20261122);
    private readonly object sync = new();

    /// <summary>Adds a rule; <see cref="ArgumentException"/> when it cannot be used (see <see cref="FaultRule.Problem"/>).</summary>
    public FaultRule Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Problem() is { } problem) throw new ArgumentException(problem, nameof(rule));
        lock (sync) rules.Add(rule);
        return rule;
    }

    public void Remove(string id)
    {
        lock (sync) rules.RemoveAll(r => r.Id == id);
    }

    public void Clear()
    {
        lock (sync) rules.Clear();
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get { lock (sync) return rules.ToList(); }
    }

    internal FaultRule? Match(string method, string path, ServiceKind service, string principal)
    {
        lock (sync)
        {
            foreach (var rule in rules)
            {
                if (!rule.Matches(method, path, service, principal)) continue;
                if (rule.Skip > 0)
                {
                    rule.Skip--;
                    continue;
                }
                if (rule.Probability < 1.0 && random.NextDouble() >= rule.Probability) continue;
                rule.Hits++;
                if (rule.Count is not null) rule.Count--;
                return rule;
            }
            return null;
        }
    }
}
