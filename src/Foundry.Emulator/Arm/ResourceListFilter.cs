using System.Text.RegularExpressions;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Arm;

/// <summary>
/// The $filter Resource Manager's resource lists accept: clauses "field eq 'value'" on resourceType, name, location,
/// resourceGroup, tagName and tagValue (tagValue only beside tagName), substringof('text', name), joined with and/or
/// (and binds tighter). As in Azure, a tag filter stands alone: combined with any other field, or anything outside
/// the grammar, it is 400 InvalidFilterInQueryString — never an unfiltered list. Resource group lists accept tags only.
/// </summary>
public sealed class ResourceListFilter
{
    private static readonly Regex Clause = new(
        @"\G\s*(?:(?<field>\w+)\s+eq\s+'(?<value>(?:[^']|'')*)'|substringof\(\s*'(?<text>(?:[^']|'')*)'\s*,\s*(?<of>\w+)\s*\))\s*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex Joiner = new(@"\G(?<op>and|or)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly HashSet<string> Fields = new(StringComparer.OrdinalIgnoreCase) { "resourceType", "name", "location", "resourceGroup", "tagName", "tagValue" };

    private readonly List<List<(string Field, string Value, bool Substring)>> alternatives;

    private ResourceListFilter(List<List<(string Field, string Value, bool Substring)>> alternatives) => this.alternatives = alternatives;

    /// <summary>The request's $filter, or null when there is none; refuses what Azure refuses.</summary>
    public static ResourceListFilter? From(RequestContext context, bool tagsOnly = false)
    {
        var text = context.Query("$filter");
        if (string.IsNullOrWhiteSpace(text)) return null;
        var invalid = RequestContext.Fail(AzureError.Arm(400, "InvalidFilterInQueryString", $"Invalid $filter '{text}' specified in the query string."));
        var alternatives = new List<List<(string, string, bool)>> { new() };
        var position = 0;
        while (true)
        {
            var clause = Clause.Match(text, position);
            if (!clause.Success) throw invalid;
            position += clause.Length;
            var substring = clause.Groups["of"].Success;
            var field = substring ? clause.Groups["of"].Value : clause.Groups["field"].Value;
            var value = (substring ? clause.Groups["text"].Value : clause.Groups["value"].Value).Replace("''", "'", StringComparison.Ordinal);
            if (!Fields.Contains(field) || (substring && !field.Equals("name", StringComparison.OrdinalIgnoreCase))) throw invalid;
            alternatives[^1].Add((field, value, substring));
            if (position >= text.Length) break;
            var joiner = Joiner.Match(text, position);
            if (!joiner.Success) throw invalid;
            position += joiner.Length;
            if (joiner.Groups["op"].Value.Equals("or", StringComparison.OrdinalIgnoreCase)) alternatives.Add(new());
        }
        foreach (var conjunction in alternatives)
        {
            var tags = conjunction.Count(c => IsTag(c.Item1));
            var hasName = conjunction.Count(c => c.Item1.Equals("tagName", StringComparison.OrdinalIgnoreCase));
            var hasValue = conjunction.Count(c => c.Item1.Equals("tagValue", StringComparison.OrdinalIgnoreCase));
            if ((tags > 0 && tags != conjunction.Count) || hasName > 1 || hasValue > 1 || (hasValue == 1 && hasName == 0)) throw invalid;
            if (tagsOnly && tags == 0) throw invalid;
        }
        return new ResourceListFilter(alternatives);
    }

    public bool Matches(ArmResource resource) => alternatives.Exists(conjunction => conjunction.TrueForAll(c => Holds(resource, conjunction, c)));

    private static bool IsTag(string field) => field.Equals("tagName", StringComparison.OrdinalIgnoreCase) || field.Equals("tagValue", StringComparison.OrdinalIgnoreCase);

    private static bool Holds(ArmResource resource, List<(string Field, string Value, bool Substring)> conjunction, (string Field, string Value, bool Substring) clause)
    {
        var value = clause.Value;
        switch (clause.Field.ToLowerInvariant())
        {
            case "resourcetype":
                return resource.Type.Equals(value, StringComparison.OrdinalIgnoreCase);
            case "name":
                return clause.Substring ? resource.Name.Contains(value, StringComparison.OrdinalIgnoreCase) : resource.Name.Equals(value, StringComparison.OrdinalIgnoreCase);
            case "location":
                return string.Equals(resource.Location, value, StringComparison.OrdinalIgnoreCase);
            case "resourcegroup":
                return string.Equals(resource.ResourceGroup, value, StringComparison.OrdinalIgnoreCase);
            case "tagname":
                return resource.Tags?.ContainsKey(value) == true;
            default:
                // tagValue belongs to the tagName beside it: the value of that tag, not of any tag.
                var name = conjunction.First(c => c.Field.Equals("tagName", StringComparison.OrdinalIgnoreCase)).Value;
                return resource.Tags is { } tags && tags.TryGetValue(name, out var tagValue) && string.Equals(tagValue, value, StringComparison.Ordinal);
        }
    }

    /// <summary>The page size $top asks for (1–1000), or the list's default.</summary>
    public static int PageSize(RequestContext context, int defaultSize = 100)
    {
        var top = context.Query("$top");
        if (string.IsNullOrEmpty(top)) return defaultSize;
        if (!int.TryParse(top, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size) || size < 1)
        {
            throw RequestContext.Fail(AzureError.Arm(400, "InvalidTopInQueryString", $"Invalid $top '{top}' specified in the query string."));
        }
        return Math.Min(size, 1000);
    }
}
