using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Tests.Support;

namespace Foundry.Tests.Traffic;

/// <summary>
/// Turns the emulator's request log into oav "live traffic" payloads (hosts rewritten to Azure's) and runs
/// `oav validate-traffic` against the REST specs stored in the repository (tests/Specs, verbatim copies: see its PROVENANCE.md). Returns every violation oav reports and
/// every request oav could not match to an operation.
/// </summary>
public static class OavRunner
{
    public sealed record Spec(string Name, string RelativePath, string ApiVersion, Func<RequestRecord, bool> Covers);

    public static readonly Spec[] Specs =
    {
        new("resources", "resources/resource-manager/Microsoft.Resources/stable/2025-04-01/resources.json", "2025-04-01",
            r => r.Service == ServiceKind.Management && (Regex.IsMatch(r.PathAndQuery, "^/subscriptions/[^/]+/resourcegroups/[^/?]+(/resources)?(\\?|$)", RegexOptions.IgnoreCase) ||
                 // The Tags API at a scope (Tags_GetAtScope / CreateOrUpdateAtScope / UpdateAtScope / DeleteAtScope).
                 r.PathAndQuery.Contains("/providers/Microsoft.Resources/tags/default?", StringComparison.OrdinalIgnoreCase))),
        new("cognitiveservices", "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json", "2025-06-01",
            r => r.Service == ServiceKind.Management && r.PathAndQuery.Contains("/providers/Microsoft.CognitiveServices/", StringComparison.OrdinalIgnoreCase) && !r.PathAndQuery.Contains("/operationResults/", StringComparison.OrdinalIgnoreCase)),
        new("authorization", "authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json", "2022-04-01",
            r => r.Service == ServiceKind.Management && r.PathAndQuery.Contains("/providers/Microsoft.Authorization/roleAssignments", StringComparison.OrdinalIgnoreCase)),
        new("resourcegraph", "resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2024-04-01/resourcegraph.json", "2024-04-01",
            r => r.Service == ServiceKind.Management && r.PathAndQuery.StartsWith("/providers/Microsoft.ResourceGraph/resources", StringComparison.OrdinalIgnoreCase)),
        // SecretClient reads the latest version as GET /secrets/{name}/ (an empty version segment), polls a recovery
        // with GET /secrets/{name}, and lists versions at /secrets/{name}/versions, which the spec's
        // /secrets/{name}/{version} template also matches: oav cannot map those real request shapes to one operation.
        new("keyvault-secrets", "keyvault/data-plane/Microsoft.KeyVault/stable/2025-07-01/secrets.json", "2025-07-01",
            r => r.Service == ServiceKind.KeyVault && r.Status != 401 &&
                 !(r.Method == "GET" && Regex.IsMatch(r.PathAndQuery, "^/secrets/[^/?]+(/|/versions)?\\?"))),
    };

    public static string? Oav
    {
        get
        {
            var path = Path.Combine(ModuleRunspace.Metadata("FoundryRepoRoot"), ".ci", "tools", "node_modules", ".bin", "oav");
            return File.Exists(path) ? path : null;
        }
    }

    public static string SpecsRoot => Path.Combine(ModuleRunspace.Metadata("FoundryRepoRoot"), "tests", "Specs", "specification");

    /// <summary>Writes the payloads of one spec and validates them; returns (payloads written, problems).</summary>
    public static (int Payloads, List<string> Problems) Validate(Spec spec, IEnumerable<RequestRecord> records, string folder)
    {
        var directory = Path.Combine(folder, spec.Name);
        Directory.CreateDirectory(directory);
        var count = 0;
        foreach (var record in records.Where(spec.Covers).Where(r => r.PathAndQuery.Contains("api-version=" + spec.ApiVersion, StringComparison.Ordinal)))
        {
            File.WriteAllText(Path.Combine(directory, $"{count++:D4}.json"), Payload(record).ToJsonString());
        }
        if (count == 0) return (0, new List<string>());
        var start = new ProcessStartInfo(Oav!) { RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { "validate-traffic", directory, Path.Combine(SpecsRoot, spec.RelativePath), "--report", "" } };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(180_000)) throw new TimeoutException($"oav did not finish validating {spec.Name}.");
        var text = stdout.Result + stderr.Result;
        var problems = new List<string>();
        foreach (Match match in Regex.Matches(text, "message: '(\\{\"specFilePath\".*?)',\\r?\\n"))
        {
            var result = JsonNode.Parse(match.Groups[1].Value.Replace("\\'", "'"))!;
            var payload = Path.GetFileName(result["payloadFilePath"]!.GetValue<string>());
            var operation = result["operationInfo"]?["operationId"]?.GetValue<string>();
            var request = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, payload)))!["liveRequest"]!;
            foreach (var error in result["errors"]!.AsArray())
            {
                problems.Add($"{spec.Name} {operation} ({request["method"]} {request["url"]}): [{error!["issueSource"]}] {error["code"]} {error["message"]} at {string.Join(",", error["jsonPathsInPayload"]!.AsArray())}");
            }
            foreach (var exception in result["runtimeExceptions"]!.AsArray()) problems.Add($"{spec.Name} {operation} ({request["method"]} {request["url"]}): runtime {exception}");
        }
        foreach (Match undefined in Regex.Matches(text, "Undefined operation (\\{.*\\})")) problems.Add($"{spec.Name}: undefined operation {undefined.Groups[1].Value}");
        return (count, problems);
    }

    private static JsonObject Payload(RequestRecord record)
    {
        var url = record.Service == ServiceKind.KeyVault
            ? $"https://{record.Host.Split('.')[0]}.vault.azure.net{record.PathAndQuery}"
            : $"https://management.azure.com{record.PathAndQuery}";
        return new JsonObject
        {
            ["liveRequest"] = new JsonObject
            {
                ["url"] = url,
                ["method"] = record.Method,
                ["headers"] = Headers(record.RequestHeaders),
                ["body"] = Body(record.RequestBody),
            },
            ["liveResponse"] = new JsonObject
            {
                ["statusCode"] = record.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["headers"] = Headers(record.ResponseHeaders),
                ["body"] = Body(record.ResponseBody),
            },
        };
    }

    private static JsonObject Headers(IReadOnlyDictionary<string, string>? headers)
    {
        var node = new JsonObject();
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) node[name] = value.Replace(".localhost", ".azure.net", StringComparison.Ordinal);
        return node;
    }

    private static JsonNode? Body(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
