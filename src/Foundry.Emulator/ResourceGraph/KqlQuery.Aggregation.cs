using System.Text.Json;
using System.Text.Json.Nodes;

namespace Foundry.Emulator.ResourceGraph;

/// <summary>
/// KQL's aggregating operators as Resource Graph runs them (the REST spec's x-ms-examples ResourcesSummarizeQuery,
/// ResourcesComplexQuery and ResourcesPropertiesQuery use them):
/// <c>| summarize [name =] count() | countif(predicate) [, …] [by column | name = expression | tostring(path), …]</c>
/// (aggregates named count_ and countif_, an unnamed group key after its path: properties_a_b),
/// <c>| distinct column, …</c>, <c>| top n by expression [asc|desc]</c> (descending unless asc) and <c>| count</c>
/// (one row, Count). Groups come out ordered by their keys; KQL leaves the order open.
/// </summary>
public sealed partial class KqlQuery
{
    private void Summarize(Parser p)
    {
        var aggregates = new List<(string Name, Func<List<JsonObject>, JsonNode?> Value)>();
        if (!p.TryTakeIdent("by"))
        {
            do aggregates.Add(Aggregate(p));
            while (p.TryTake(","));
            if (!p.TryTakeIdent("by"))
            {
                Group(aggregates, new List<(string, Func<JsonObject, JsonNode?>)>());
                return;
            }
        }
        Group(aggregates, Keys(p));
    }

    private void Distinct(Parser p) => Group(new List<(string, Func<List<JsonObject>, JsonNode?>)>(), Keys(p));

    private void Top(Parser p)
    {
        var count = p.Number();
        p.ExpectIdent("by");
        var key = p.Operand();
        var ascending = p.TryTakeIdent("asc");
        if (!ascending) p.TryTakeIdent("desc");
        Limited = true;
        stages.Add(rows => (ascending ? rows.OrderBy(key, ValueOrder.Instance) : rows.OrderByDescending(key, ValueOrder.Instance)).Take(count));
    }

    private void Count()
    {
        Projection = new[] { "Count" };
        stages.Add(rows => new[] { new JsonObject { ["Count"] = rows.Count() } });
    }

    private static (string Name, Func<List<JsonObject>, JsonNode?> Value) Aggregate(Parser p)
    {
        string? alias = null;
        if (p.PeeksIdentFollowedBy("="))
        {
            alias = p.Ident();
            p.TryTake("=");
        }
        var function = p.Ident().ToLowerInvariant();
        if (!p.TryTake("(")) throw new KqlParseException($"Expected '(' after '{function}'.", p.Position, function);
        switch (function)
        {
            case "count":
                if (!p.TryTake(")")) throw new KqlParseException("count() takes no argument.", p.Position, function);
                return (alias ?? "count_", group => JsonValue.Create(group.Count));
            case "countif":
                var predicate = p.Expression();
                if (!p.TryTake(")")) throw new KqlParseException("Expected ')'.", p.Position, function);
                return (alias ?? "countif_", group => JsonValue.Create(group.Count(r => Truthy(predicate(r)))));
            default:
                throw new KqlParseException($"Unsupported aggregation '{function}'.", p.Position, function);
        }
    }

    private static List<(string Name, Func<JsonObject, JsonNode?> Value)> Keys(Parser p)
    {
        var keys = new List<(string, Func<JsonObject, JsonNode?>)>();
        do
        {
            if (p.PeeksIdentFollowedBy("="))
            {
                var alias = p.Ident();
                p.TryTake("=");
                keys.Add((alias, p.Operand()));
                continue;
            }
            var start = p.Index;
            var value = p.Operand();
            keys.Add((p.ColumnNameSince(start), value));
        }
        while (p.TryTake(","));
        return keys;
    }

    /// <summary>One row per distinct key (all rows when there is no key): the key columns, then the aggregates.</summary>
    private void Group(List<(string Name, Func<List<JsonObject>, JsonNode?> Value)> aggregates, List<(string Name, Func<JsonObject, JsonNode?> Value)> keys)
    {
        Projection = keys.Select(k => k.Name).Concat(aggregates.Select(a => a.Name)).ToList();
        stages.Add(rows =>
        {
            var groups = rows.GroupBy(r => string.Join("\u001f", keys.Select(k => Text(k.Value(r)))), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase).ToList();
            if (keys.Count == 0 && groups.Count == 0) groups.Add(new NoRows());
            return groups.Select(g =>
            {
                var members = g.ToList();
                var row = new JsonObject();
                foreach (var (name, value) in keys) row[name] = members.Count > 0 ? value(members[0])?.DeepClone() : null;
                foreach (var (name, value) in aggregates) row[name] = value(members);
                return row;
            }).ToList();
        });
    }

    /// <summary>The single, empty group a summarize without by makes of no rows (count() over nothing is 0).</summary>
    private sealed class NoRows : IGrouping<string, JsonObject>
    {
        public string Key => "";
        public IEnumerator<JsonObject> GetEnumerator() => Enumerable.Empty<JsonObject>().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>Orders values as KQL does: numbers by value, everything else as text (case-insensitive).</summary>
internal sealed class ValueOrder : IComparer<JsonNode?>
{
    public static readonly ValueOrder Instance = new();

    public int Compare(JsonNode? x, JsonNode? y)
    {
        if (x is JsonValue a && y is JsonValue b && a.GetValueKind() == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number)
        {
            return Number(a).CompareTo(Number(b));
        }
        return StringComparer.OrdinalIgnoreCase.Compare(KqlQuery.Text(x), KqlQuery.Text(y));
    }

    private static double Number(JsonValue value) => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
}
