using System.Text.Json.Nodes;

namespace Foundry.Tests.Support;

/// <summary>
/// Azure's real answers kept in the repository: recordings (tests/Recordings) and REST-spec examples (tests/Specs), and
/// the shape comparison the emulator is held to (property names, not values).
/// </summary>
public static class GroundTruth
{
    public static string RecordingsFolder => Path.Combine(ModuleRunspace.Metadata("FoundryRepoRoot"), "tests", "Recordings");

    public static string SpecsFolder => Path.Combine(ModuleRunspace.Metadata("FoundryRepoRoot"), "tests", "Specs");

    /// <summary>The recorded entries (test-proxy JSON) answering <paramref name="method"/> on a path containing <paramref name="pathPart"/>, in order.</summary>
    public static List<(int Status, JsonNode? Body, JsonObject Headers)> Recorded(string file, string method, string pathPart)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(RecordingsFolder, file)))!;
        return root["Entries"]!.AsArray()
            .Where(e => e!["RequestMethod"]!.GetValue<string>() == method && new Uri(e["RequestUri"]!.GetValue<string>()).AbsolutePath.Contains(pathPart, StringComparison.OrdinalIgnoreCase))
            .Select(e => (e!["StatusCode"]!.GetValue<int>(), e["ResponseBody"]?.DeepClone(), e["ResponseHeaders"]!.AsObject()))
            .ToList();
    }

    /// <summary>
    /// Property names Azure's body has and the emulator's lacks: at the top level and under `properties` (for a list,
    /// of its first item, and the list's own top level). Names compare case-insensitively, as ARM's JSON does.
    /// </summary>
    public static List<string> MissingNames(JsonNode? azure, JsonNode? emulator)
    {
        var missing = new List<string>();
        if (azure is not JsonObject expected) return missing;
        if (emulator is not JsonObject actual) return new List<string> { "(no JSON object body)" };
        Compare(expected, actual, "", missing);
        if (expected["value"] is JsonArray { Count: > 0 } items && items[0] is JsonObject first)
        {
            if (actual["value"] is JsonArray { Count: > 0 } got && got[0] is JsonObject firstGot) Compare(first, firstGot, "value[0].", missing);
            else missing.Add("value[0] (empty list)");
        }
        return missing;
    }

    private static void Compare(JsonObject expected, JsonObject actual, string prefix, List<string> missing)
    {
        foreach (var (name, _) in expected)
        {
            if (!Has(actual, name)) missing.Add(prefix + name);
        }
        if (expected["properties"] is JsonObject properties && Get(actual, "properties") is JsonObject got)
        {
            foreach (var (name, _) in properties)
            {
                if (!Has(got, name)) missing.Add(prefix + "properties." + name);
            }
        }
    }

    private static bool Has(JsonObject node, string name) => node.Any(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase));

    private static JsonNode? Get(JsonObject node, string name) => node.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
