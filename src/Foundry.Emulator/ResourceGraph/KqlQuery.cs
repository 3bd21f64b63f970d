using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Foundry.Emulator.ResourceGraph;

/// <summary>A KQL parse error with the position Resource Graph reports (line, character, token).</summary>
public class KqlParseException(string message, int position, string token) : Exception(message)
{
    public int Position { get; } = position;
    public string Token { get; } = token;
}

/// <summary>A query beyond the emulator's bounds (too long, too deeply nested): refused before it is parsed further.</summary>
public sealed class KqlTooComplexException(string message, int position, string token) : KqlParseException(message, position, token);

/// <summary>
/// The KQL subset Foundry and its users send to Resource Graph: a table (Resources, ResourceContainers), then
/// | where (==, =~, !=, !~, has, contains, startswith, in, in~, !in, !in~, and, or, not, parentheses, isempty,
/// isnotempty, tostring, tolower), | project (with renames), | order by … asc|desc, | limit / take n, and the
/// aggregations in KqlQuery.Aggregation.cs (| summarize, | distinct, | top n by, | count).
/// </summary>
/// Bounded: at most <see cref="MaxQueryLength"/> characters and <see cref="MaxNesting"/> levels of parentheses, not and
/// function calls, so no query can exhaust the stack; and/or chains are evaluated in a loop, not by recursion.
public sealed partial class KqlQuery
{
    /// <summary>Far above any query Foundry or a person writes; a longer one is refused as too complex.</summary>
    public const int MaxQueryLength = 64 * 1024;

    /// <summary>Nesting of ( ), not and function calls; each level costs a few stack frames when parsed.</summary>
    public const int MaxNesting = 64;

    private readonly List<Func<IEnumerable<JsonObject>, IEnumerable<JsonObject>>> stages = new();

    public string Table { get; private set; } = "Resources";
    public IReadOnlyList<string>? Projection { get; private set; }

    /// <summary>The query has a limit or take: Resource Graph then answers one page and no $skipToken.</summary>
    public bool Limited { get; private set; }

    /// <summary>The tabular operators; Resource Graph reads one in a value's place as the start of an operator, not a column.</summary>
    internal static readonly HashSet<string> Operators = new(StringComparer.OrdinalIgnoreCase) { "where", "project", "order", "sort", "limit", "take", "summarize", "distinct", "top" };

    public static KqlQuery Parse(string text)
    {
        if (text.Length > MaxQueryLength)
        {
            throw new KqlTooComplexException($"The query is too long: {text.Length} characters, at most {MaxQueryLength}.", MaxQueryLength, "<EOF>");
        }
        var query = new KqlQuery();
        var p = new Parser(Tokenizer.Tokenize(text));
        // Resource Graph runs a query that starts with an operator ("project id", "where …") against Resources.
        var startsWithOperator = p.PeeksOperator();
        if (!startsWithOperator)
        {
            var table = p.Ident();
            if (!table.Equals("Resources", StringComparison.OrdinalIgnoreCase) && !table.Equals("ResourceContainers", StringComparison.OrdinalIgnoreCase))
            {
                throw new KqlParseException($"Unknown table '{table}'.", 0, table);
            }
            query.Table = table;
        }
        while (startsWithOperator || p.TryTake("|"))
        {
            startsWithOperator = false;
            var op = p.Ident().ToLowerInvariant();
            switch (op)
            {
                case "where":
                    var predicate = p.Expression();
                    query.stages.Add(rows => rows.Where(r => Truthy(predicate(r))));
                    break;
                case "project":
                    var columns = new List<(string Name, Func<JsonObject, JsonNode?> Value)>();
                    do
                    {
                        var name = p.Ident();
                        if (p.TryTake("="))
                        {
                            columns.Add((name, p.Operand()));
                        }
                        else
                        {
                            // Resource Graph names a projected path after its steps: properties.a.b → properties_a_b.
                            var steps = new List<string>();
                            var path = p.PathFrom(name, steps);
                            columns.Add((string.Join("_", steps.Prepend(name)), path));
                        }
                    }
                    while (p.TryTake(","));
                    query.Projection = columns.Select(c => c.Name).ToList();
                    query.stages.Add(rows => rows.Select(r =>
                    {
                        var o = new JsonObject();
                        foreach (var (name, value) in columns) o[name] = value(r)?.DeepClone();
                        return o;
                    }));
                    break;
                case "order":
                case "sort":
                    p.ExpectIdent("by");
                    var key = p.Operand();
                    var descending = !p.TryTakeIdent("asc") && (p.TryTakeIdent("desc") || true);
                    query.stages.Add(rows => descending ? rows.OrderByDescending(key, ValueOrder.Instance) : rows.OrderBy(key, ValueOrder.Instance));
                    break;
                case "summarize":
                    query.Summarize(p);
                    break;
                case "distinct":
                    query.Distinct(p);
                    break;
                case "top":
                    query.Top(p);
                    break;
                case "count":
                    query.Count();
                    break;
                case "limit":
                case "take":
                    var count = p.Number();
                    query.Limited = true;
                    query.stages.Add(rows => rows.Take(count));
                    break;
                default:
                    throw new KqlParseException($"Unsupported operator '{op}'.", p.Position, op);
            }
        }
        p.End();
        return query;
    }

    /// <summary>A where-clause predicate on its own (a facet's filter).</summary>
    public static Func<JsonObject, bool> Predicate(string text)
    {
        var p = new Parser(Tokenizer.Tokenize(text));
        var expression = p.Expression();
        p.End();
        return row => Truthy(expression(row));
    }

    /// <summary>A value expression on its own (a facet's column or sortBy).</summary>
    public static Func<JsonObject, JsonNode?> Value(string text)
    {
        var p = new Parser(Tokenizer.Tokenize(text));
        var value = p.Operand();
        p.End();
        return value;
    }

    public IEnumerable<JsonObject> Run(IEnumerable<JsonObject> rows) => stages.Aggregate(rows, (current, stage) => stage(current));

    internal static bool Truthy(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    internal static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private sealed class Parser(List<Tokenizer.Token> tokens)
    {
        private int index;
        private int depth;

        /// <summary>Where the parser stands, to name what it parsed since (<see cref="ColumnNameSince"/>).</summary>
        public int Index => index;

        public int Position => index < tokens.Count ? tokens[index].Position : tokens.Count == 0 ? 0 : tokens[^1].Position + tokens[^1].Text.Length;

        private Tokenizer.Token? Peek => index < tokens.Count ? tokens[index] : null;

        /// <summary>
        /// The column name KQL gives an unnamed expression parsed from token <paramref name="start"/> on: its column
        /// and member names joined by '_', function names left out (tostring(properties.a.b) → properties_a_b).
        /// </summary>
        public string ColumnNameSince(int start)
        {
            var parts = new List<string>();
            for (var i = start; i < index; i++)
            {
                var t = tokens[i];
                var isFunction = i + 1 < index && tokens[i + 1] is { Kind: Tokenizer.Kind.Symbol, Text: "(" };
                if ((t.Kind == Tokenizer.Kind.Ident && !isFunction) || (t.Kind == Tokenizer.Kind.String && i > 0 && tokens[i - 1].Text == "[")) parts.Add(t.Text);
            }
            return string.Join("_", parts);
        }

        public bool PeeksSymbol(string symbol) => Peek is { Kind: Tokenizer.Kind.Symbol } t && t.Text == symbol;

        public bool PeeksIdentFollowedBy(string symbol) =>
            Peek is { Kind: Tokenizer.Kind.Ident } && index + 1 < tokens.Count && tokens[index + 1] is { Kind: Tokenizer.Kind.Symbol } next && next.Text == symbol;

        public bool TryTake(string symbol)
        {
            if (Peek is { Kind: Tokenizer.Kind.Symbol } t && t.Text == symbol)
            {
                index++;
                return true;
            }
            return false;
        }

        public bool TryTakeIdent(string word)
        {
            if (Peek is { Kind: Tokenizer.Kind.Ident } t && t.Text.Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                index++;
                return true;
            }
            return false;
        }

        public void ExpectIdent(string word)
        {
            if (!TryTakeIdent(word)) throw Fail($"Expected '{word}'.");
        }

        public bool PeeksOperator() => Peek is { Kind: Tokenizer.Kind.Ident } t && Operators.Contains(t.Text);

        public string Ident()
        {
            if (Peek is { Kind: Tokenizer.Kind.Ident } t)
            {
                index++;
                return t.Text;
            }
            throw Fail("Expected a name.");
        }

        public int Number()
        {
            if (Peek is { Kind: Tokenizer.Kind.Number } t)
            {
                index++;
                return int.Parse(t.Text, CultureInfo.InvariantCulture);
            }
            throw Fail("Expected a number.");
        }

        public void End()
        {
            if (Peek is not null) throw Fail("Unexpected text.");
        }

        private KqlParseException Fail(string message) => new(message, Position, Peek?.Text ?? "<EOF>");

        // A chain of N terms is one list evaluated in a loop: nesting N closures would recurse N deep on every row.
        public Func<JsonObject, JsonNode?> Expression()
        {
            var terms = new List<Func<JsonObject, JsonNode?>> { And() };
            while (TryTakeIdent("or")) terms.Add(And());
            if (terms.Count == 1) return terms[0];
            return row => JsonValue.Create(terms.Exists(t => Truthy(t(row))));
        }

        private Func<JsonObject, JsonNode?> And()
        {
            var terms = new List<Func<JsonObject, JsonNode?>> { Unary() };
            while (TryTakeIdent("and")) terms.Add(Unary());
            if (terms.Count == 1) return terms[0];
            return row => JsonValue.Create(terms.TrueForAll(t => Truthy(t(row))));
        }

        private Func<JsonObject, JsonNode?> Unary()
        {
            if (TryTakeIdent("not"))
            {
                using (Nested())
                {
                    var inner = Unary();
                    return row => !Truthy(inner(row));
                }
            }
            if (TryTake("("))
            {
                using (Nested())
                {
                    var inner = Expression();
                    if (!TryTake(")")) throw Fail("Expected ')'.");
                    return inner;
                }
            }
            return Comparison();
        }

        /// <summary>One more level of nesting for as long as the returned scope lives; too deep is refused.</summary>
        private NestingScope Nested()
        {
            if (++depth > MaxNesting)
            {
                throw new KqlTooComplexException($"The query is too complex: nested more than {MaxNesting} levels deep.", Position, Peek?.Text ?? "<EOF>");
            }
            return new NestingScope(this);
        }

        private readonly struct NestingScope(Parser parser) : IDisposable
        {
            public void Dispose() => parser.depth--;
        }

        private Func<JsonObject, JsonNode?> Comparison()
        {
            var left = Operand();
            var op = Peek switch
            {
                { Kind: Tokenizer.Kind.Symbol, Text: "==" or "=~" or "!=" or "!~" or "!in" or "!in~" } t => t.Text,
                { Kind: Tokenizer.Kind.Ident } t when t.Text.ToLowerInvariant() is "has" or "contains" or "startswith" or "endswith" or "in" or "in~" or "!has" => t.Text.ToLowerInvariant(),
                _ => null,
            };
            if (op is null) return left;
            index++;
            if (op is "in" or "in~" or "!in" or "!in~")
            {
                if (!TryTake("(")) throw Fail("Expected '('.");
                var items = new List<Func<JsonObject, JsonNode?>> { Operand() };
                while (TryTake(",")) items.Add(Operand());
                if (!TryTake(")")) throw Fail("Expected ')'.");
                var comparison = op.EndsWith("~", StringComparison.Ordinal) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
                var negate = op.StartsWith("!", StringComparison.Ordinal);
                return row => JsonValue.Create(negate ^ items.Any(i => string.Equals(Text(left(row)), Text(i(row)), comparison)));
            }
            var right = Operand();
            return op switch
            {
                "==" => row => JsonValue.Create(string.Equals(Text(left(row)), Text(right(row)), StringComparison.Ordinal)),
                "=~" => row => JsonValue.Create(string.Equals(Text(left(row)), Text(right(row)), StringComparison.OrdinalIgnoreCase)),
                "!=" => row => JsonValue.Create(!string.Equals(Text(left(row)), Text(right(row)), StringComparison.Ordinal)),
                "!~" => row => JsonValue.Create(!string.Equals(Text(left(row)), Text(right(row)), StringComparison.OrdinalIgnoreCase)),
                "has" or "contains" => row => JsonValue.Create(Text(left(row)).Contains(Text(right(row)), StringComparison.OrdinalIgnoreCase)),
                "!has" => row => JsonValue.Create(!Text(left(row)).Contains(Text(right(row)), StringComparison.OrdinalIgnoreCase)),
                "startswith" => row => JsonValue.Create(Text(left(row)).StartsWith(Text(right(row)), StringComparison.OrdinalIgnoreCase)),
                _ => row => JsonValue.Create(Text(left(row)).EndsWith(Text(right(row)), StringComparison.OrdinalIgnoreCase)),
            };
        }

        public Func<JsonObject, JsonNode?> Operand()
        {
            var token = Peek ?? throw Fail("Expected a value.");
            if (token.Kind == Tokenizer.Kind.String)
            {
                index++;
                return _ => JsonValue.Create(token.Text);
            }
            if (token.Kind == Tokenizer.Kind.Number)
            {
                index++;
                var number = double.Parse(token.Text, CultureInfo.InvariantCulture);
                return _ => JsonValue.Create(number);
            }
            if (PeeksOperator())
            {
                // "| where where": the parser takes the word as an operator and fails on what follows it (the recorded 400: <EOF>).
                index++;
                throw Fail("Expected an expression.");
            }
            var name = Ident();
            if (TryTake("("))
            {
                using var nested = Nested();
                var argument = Operand();
                if (!TryTake(")")) throw Fail("Expected ')'.");
                return name.ToLowerInvariant() switch
                {
                    "tostring" => row => JsonValue.Create(Text(argument(row))),
                    "tolower" => row => JsonValue.Create(Text(argument(row)).ToLowerInvariant()),
                    "isempty" => row => JsonValue.Create(Text(argument(row)).Length == 0),
                    "isnotempty" => row => JsonValue.Create(Text(argument(row)).Length > 0),
                    _ => throw new KqlParseException($"Unknown function '{name}'.", token.Position, name),
                };
            }
            return PathFrom(name);
        }

        /// <summary>A column with optional .member and ['member'] steps (tags['foundry-env'], properties.provisioningState).</summary>
        public Func<JsonObject, JsonNode?> PathFrom(string column, List<string>? steps = null)
        {
            steps ??= new List<string>();
            while (true)
            {
                if (TryTake("."))
                {
                    steps.Add(Ident());
                }
                else if (TryTake("["))
                {
                    var key = Peek is { Kind: Tokenizer.Kind.String } s ? s.Text : throw Fail("Expected a quoted member name.");
                    index++;
                    if (!TryTake("]")) throw Fail("Expected ']'.");
                    steps.Add(key);
                }
                else
                {
                    break;
                }
            }
            return row =>
            {
                JsonNode? node = row.FirstOrDefault(p => p.Key.Equals(column, StringComparison.OrdinalIgnoreCase)).Value;
                foreach (var step in steps) node = node is JsonObject o ? o[step] : null;
                return node;
            };
        }
    }
}
