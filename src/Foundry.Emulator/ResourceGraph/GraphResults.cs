using System.Text.Json;
using System.Text.Json.Nodes;

namespace Foundry.Emulator.ResourceGraph;

/// <summary>
/// How Resource Graph shapes what a query found: rows as an object array or as a table (columns + rows, as
/// options.resultFormat asks), and facets — counts of each distinct value of an expression over the whole result,
/// sorted, filtered and cut to $top as the request's facet options say (shaped as the REST spec's Facet Query example).
/// </summary>
internal static class GraphResults
{
    public const string Table = "table";
    public const string ObjectArray = "objectArray";

    /// <summary>Rows in the asked format: objectArray as they are, table as {columns:[{name,type}], rows:[[…]]}.</summary>
    public static JsonNode Format(IReadOnlyList<JsonObject> rows, string format)
    {
        if (!format.Equals(Table, StringComparison.OrdinalIgnoreCase)) return new JsonArray(rows.Select(r => (JsonNode)r.DeepClone()).ToArray());
        var names = new List<string>();
        foreach (var row in rows)
        {
            foreach (var (name, _) in row)
            {
                if (!names.Contains(name, StringComparer.OrdinalIgnoreCase)) names.Add(name);
            }
        }
        var columns = new JsonArray(names.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n,
            ["type"] = TypeOf(rows.Select(r => r[n]).FirstOrDefault(v => v is not null)),
        }).ToArray());
        var cells = new JsonArray(rows.Select(r => (JsonNode)new JsonArray(names.Select(n => r[n]?.DeepClone()).ToArray())).ToArray());
        return new JsonObject { ["columns"] = columns, ["rows"] = cells };
    }

    /// <summary>The requested facets over the full result (before paging), each a FacetResult or a FacetError.</summary>
    public static JsonArray Facets(JsonArray? requests, IReadOnlyList<JsonObject> rows, string format)
    {
        var facets = new JsonArray();
        foreach (var request in requests ?? new JsonArray())
        {
            var expression = request?["expression"]?.GetValue<string>() ?? "";
            var options = request?["options"] as JsonObject;
            facets.Add(Facet(expression, options, rows, format));
        }
        return facets;
    }

    private static JsonObject Facet(string expression, JsonObject? options, IReadOnlyList<JsonObject> rows, string format)
    {
        var column = expression.Replace('.', '_');
        var root = expression.Split('.', '[')[0].Trim();
        Func<JsonObject, JsonNode?> value;
        try
        {
            if (rows.Any(r => r.ContainsKey(column))) value = r => r[column];
            else if (rows.Count == 0 || rows.Any(r => r.ContainsKey(root))) value = KqlQuery.Value(expression);
            else return FacetError(expression, ("NoValidColumns", "No valid columns in facet expression."), ("InvalidColumnNames", $"Invalid column names: [{root}]."));
        }
        catch (KqlParseException e)
        {
            return FacetError(expression, ("InvalidFacetExpression", e.Message));
        }

        IEnumerable<JsonObject> source = rows;
        if (options?["filter"]?.GetValue<string>() is { Length: > 0 } filter)
        {
            try
            {
                var predicate = KqlQuery.Predicate(filter);
                source = source.Where(predicate);
            }
            catch (KqlParseException e)
            {
                return FacetError(expression, ("InvalidFacetFilter", e.Message));
            }
        }
        var groups = source.GroupBy(r => KqlQuery.Text(value(r)), StringComparer.OrdinalIgnoreCase)
            .Select(g => (Value: value(g.First())?.DeepClone(), Sample: g.First(), Count: g.Count())).ToList();

        var descending = !string.Equals(options?["sortOrder"]?.GetValue<string>(), "asc", StringComparison.OrdinalIgnoreCase);
        var sortBy = options?["sortBy"]?.GetValue<string>();
        IOrderedEnumerable<(JsonNode? Value, JsonObject Sample, int Count)> ordered;
        if (string.IsNullOrEmpty(sortBy) || sortBy.Equals("count", StringComparison.OrdinalIgnoreCase))
        {
            ordered = descending ? groups.OrderByDescending(g => g.Count) : groups.OrderBy(g => g.Count);
            ordered = ordered.ThenBy(g => KqlQuery.Text(g.Value), StringComparer.OrdinalIgnoreCase);
        }
        else
        {
            var key = KqlQuery.Value(sortBy);
            ordered = descending
                ? groups.OrderByDescending(g => KqlQuery.Text(key(g.Sample)), StringComparer.OrdinalIgnoreCase)
                : groups.OrderBy(g => KqlQuery.Text(key(g.Sample)), StringComparer.OrdinalIgnoreCase);
        }
        var top = options?["$top"]?.GetValue<int>() ?? 10;
        var kept = ordered.Take(Math.Clamp(top, 1, 1000)).Select(g => new JsonObject { [column] = g.Value, ["count"] = g.Count }).ToList();
        return new JsonObject
        {
            ["expression"] = expression,
            ["resultType"] = "FacetResult",
            ["totalRecords"] = groups.Count,
            ["count"] = kept.Count,
            ["data"] = Format(kept, format),
        };
    }

    private static JsonObject FacetError(string expression, params (string Code, string Message)[] errors) => new()
    {
        ["expression"] = expression,
        ["resultType"] = "FacetError",
        ["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["code"] = e.Code, ["message"] = e.Message }).ToArray()),
    };

    private static string TypeOf(JsonNode? node) => node switch
    {
        JsonObject or JsonArray => "object",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.True or JsonValueKind.False => "boolean",
            // The JSON text decides: a value held as int, long or double all print as they would be sent.
            JsonValueKind.Number => v.ToJsonString().IndexOfAny(new[] { '.', 'e', 'E' }) < 0 ? "integer" : "number",
            _ => "string",
        },
        _ => "string",
    };
}
