using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Tests.Support;
using Xunit.Abstractions;

namespace Foundry.Tests.Conformance;

/// <summary>
/// Replays each REST-spec x-ms-example (tests/Specs, listed in tests/Specs/example-replay.json) whose operation the
/// emulator serves: prerequisites are created, the example's request is sent (its subscription replaced by the
/// emulator's), and the answer must carry a status the example lists and the example's property names at the top level
/// and under `properties`. A case with a `gap` is a known difference, stated with its reason: it must still differ, so a
/// closed gap shows up (and is removed from the list) instead of hiding a regression.
/// </summary>
public sealed class SpecExampleReplayTests(ITestOutputHelper output)
{
    private const string Officer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private const string DefaultVault = "myvault";

    public static IEnumerable<object[]> Cases() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(GroundTruth.SpecsFolder, "example-replay.json")))!.AsArray()
            .Select(c => new object[] { c!["example"]!.GetValue<string>() });

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_emulator_answers_the_example_with_a_listed_status_and_its_shape(string example)
    {
        var @case = JsonNode.Parse(File.ReadAllText(Path.Combine(GroundTruth.SpecsFolder, "example-replay.json")))!.AsArray()
            .Single(c => c!["example"]!.GetValue<string>() == example)!.AsObject();
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(GroundTruth.SpecsFolder, example)))!;
        var emulator = new EmulatorFixture();
        await emulator.InitializeAsync();
        try
        {
            var parameters = Substitute(file["parameters"]!.AsObject(), emulator.Subscription);
            var context = new ReplayContext(emulator, parameters, @case["service"]?.GetValue<string>() == "vault");
            foreach (var step in @case["setup"]!.AsArray()) await context.SetUpAsync(step!.GetValue<string>());

            var path = Regex.Replace(@case["path"]!.GetValue<string>(), "\\{([^}]+)\\}", m => context.Value(m.Groups[1].Value));
            path = Regex.Replace(path, "^//+", "/");
            var query = $"api-version={@case["apiVersion"]!.GetValue<string>()}";
            foreach (var name in new[] { "$top", "forceDeletionTypes", "modelFormat", "modelName", "modelVersion" })
            {
                if (parameters[name] is { } extra) query += $"&{name}={Uri.EscapeDataString(extra.ToString())}";
            }
            var body = @case["body"] is { } bodyName ? parameters[bodyName.GetValue<string>()]?.ToJsonString() : null;
            var reply = await context.Client.SendAsync(new HttpMethod(@case["method"]!.GetValue<string>()), $"{path}?{query}", body);

            var responses = file["responses"]!.AsObject();
            var differences = new List<string>();
            if (!responses.ContainsKey(reply.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                differences.Add($"status {reply.Status} is not one the example lists ({string.Join(", ", responses.Select(r => r.Key))}): {Truncate(reply.Text)}");
            }
            else if (responses[reply.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["body"] is JsonObject expected)
            {
                // Continuation markers appear only while more results remain (the example's result had more; the
                // emulator's, over the few resources set up here, has not). A case whose properties are data (app
                // settings: name to value) compares the envelope only.
                var dataProperties = @case["propertiesAreData"]?.GetValue<bool>() == true;
                differences.AddRange(GroundTruth.MissingNames(expected, reply.Body)
                    .Where(n => n is not ("nextLink" or "$skipToken") && !(dataProperties && n.StartsWith("properties.", StringComparison.Ordinal)))
                    .Select(n => $"missing '{n}'"));
            }
            output.WriteLine($"{example}: {@case["operation"]} {@case["method"]} {path} -> {reply.Status}");
            foreach (var difference in differences) output.WriteLine("  " + difference);

            if (@case["gap"] is { } gap)
            {
                output.WriteLine("known gap: " + gap.GetValue<string>());
                Assert.True(differences.Count > 0, $"The known gap of {example} is closed (the emulator now answers as the example does): remove its 'gap' from example-replay.json.");
            }
            else
            {
                Assert.True(differences.Count == 0, string.Join("; ", differences));
            }
        }
        finally
        {
            await emulator.DisposeAsync();
        }
    }

    /// <summary>The example's subscription ids (its subscriptionId, any id after "subscriptions/", a query's subscriptions) become the emulator's.</summary>
    private static JsonObject Substitute(JsonObject parameters, string subscription)
    {
        var text = parameters.ToJsonString();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (parameters["subscriptionId"] is { } given) ids.Add(given.GetValue<string>());
        foreach (Match match in Regex.Matches(text, "subscriptions/([0-9a-fA-Fx-]{36})")) ids.Add(match.Groups[1].Value);
        foreach (var id in parameters["query"]?["subscriptions"]?.AsArray() ?? new JsonArray()) ids.Add(id!.GetValue<string>());
        foreach (var id in ids) text = text.Replace(id, subscription, StringComparison.OrdinalIgnoreCase);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>Creates what an example's request presumes exists, named as the example names it.</summary>
    private sealed class ReplayContext
    {
        private readonly EmulatorFixture emulator;
        private readonly JsonObject parameters;
        private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

        public ReplayContext(EmulatorFixture emulator, JsonObject parameters, bool dataPlane)
        {
            this.emulator = emulator;
            this.parameters = parameters;
            Arm = emulator.Authorized();
            Client = Arm;
            if (dataPlane)
            {
                Client = emulator.Authorized();
                Client.BaseAddress = emulator.Host.VaultUri(VaultName);
            }
        }

        public HttpClient Arm { get; }

        public HttpClient Client { get; }

        private string Sub => emulator.Subscription;

        private string Group => Text("resourceGroupName") ?? "rg-examples";

        private string Location => (Text("location") ?? "eastus").ToLowerInvariant();

        private string VaultName => Text("vaultName") ?? (Text("vaultBaseUrl") is { } url ? new Uri(url).Host.Split('.')[0] : DefaultVault);

        public string Value(string name) => values.TryGetValue(name, out var value) ? value
            : name == "subscriptionId" ? Sub
            : name == "location" ? Location
            : Text(name) ?? throw new InvalidOperationException($"The example has no parameter '{name}'.");

        private string? Text(string name) => parameters[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        public async Task SetUpAsync(string step)
        {
            switch (step)
            {
                case "group":
                    await Ok(HttpMethod.Put, $"/subscriptions/{Sub}/resourcegroups/{Group}?api-version=2025-04-01", $"{{\"location\":\"{Location}\"}}");
                    break;
                case "account":
                    await SetUpAsync("group");
                    await AccountAsync(Group, Value("accountName"));
                    break;
                case "groupAccount":
                    await SetUpAsync("group");
                    await AccountAsync(Group, "example-account");
                    break;
                case "anyAccount":
                    await Ok(HttpMethod.Put, $"/subscriptions/{Sub}/resourcegroups/rg-examples?api-version=2025-04-01", "{\"location\":\"eastus\"}");
                    await AccountAsync("rg-examples", "example-account");
                    break;
                case "deployment":
                    await SetUpAsync("account");
                    await Ok(HttpMethod.Put, $"{AccountId(Group, Value("accountName"))}/deployments/{(Text("deploymentName") ?? "example-deployment")}?api-version=2025-06-01",
                        "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":1},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o-mini\",\"version\":\"2024-07-18\"}}}");
                    break;
                case "deletedAccount":
                    await SetUpAsync("account");
                    await Ok(HttpMethod.Delete, $"{AccountId(Group, Value("accountName"))}?api-version=2025-06-01");
                    break;
                case "anyDeletedAccount":
                    await SetUpAsync("anyAccount");
                    await Ok(HttpMethod.Delete, $"{AccountId("rg-examples", "example-account")}?api-version=2025-06-01");
                    break;
                case "vault":
                    await SetUpAsync("group");
                    var vault = $"/subscriptions/{Sub}/resourceGroups/{Group}/providers/Microsoft.KeyVault/vaults/{VaultName}";
                    await Ok(HttpMethod.Put, $"{vault}?api-version=2025-05-01",
                        $"{{\"location\":\"{Location}\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true}}}}");
                    await Ok(HttpMethod.Put, $"{vault}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
                        $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{Sub}/providers/Microsoft.Authorization/roleDefinitions/{Officer}\",\"principalId\":\"{EmulatorFixture.Operator}\"}}}}");
                    break;
                case "deletedVault":
                    await SetUpAsync("vault");
                    await Ok(HttpMethod.Delete, $"/subscriptions/{Sub}/resourceGroups/{Group}/providers/Microsoft.KeyVault/vaults/{VaultName}?api-version=2025-05-01");
                    break;
                case "secret":
                    await SetUpAsync("vault");
                    var set = await Client.SendAsync(HttpMethod.Put, $"/secrets/{Value("secret-name")}?api-version=2025-07-01", "{\"value\":\"example-value\",\"contentType\":\"text/plain\",\"tags\":{\"kind\":\"example\"}}");
                    Assert.Equal(200, set.Status);
                    values["secret-version"] = set.Body!["id"]!.GetValue<string>().Split('/').Last();
                    break;
                case "deletedSecret":
                    await SetUpAsync("secret");
                    Assert.Equal(200, (await Client.SendAsync(HttpMethod.Delete, $"/secrets/{Value("secret-name")}?api-version=2025-07-01")).Status);
                    break;
                case "site":
                    await SetUpAsync("group");
                    await Ok(HttpMethod.Put, $"/subscriptions/{Sub}/resourceGroups/{Group}/providers/Microsoft.Web/sites/{Value("name")}?api-version=2024-11-01",
                        $"{{\"location\":\"{Location}\",\"kind\":\"functionapp\",\"identity\":{{\"type\":\"SystemAssigned\"}},\"properties\":{{}}}}");
                    break;
                case "reference":
                    await SetUpAsync("site");
                    var setting = Text("appSettingKey") ?? "setting";
                    await Ok(HttpMethod.Put, $"/subscriptions/{Sub}/resourceGroups/{Group}/providers/Microsoft.Web/sites/{Value("name")}/config/appsettings?api-version=2024-11-01",
                        $"{{\"properties\":{{\"{setting}\":\"@Microsoft.KeyVault(SecretUri=https://{DefaultVault}.vault.azure.net/secrets/example/)\"}}}}");
                    break;
                case "scope":
                    var scope = Value("scope");
                    if (Regex.Match(scope, "resourceGroups/([^/]+)", RegexOptions.IgnoreCase) is { Success: true } group)
                    {
                        await Ok(HttpMethod.Put, $"/subscriptions/{Sub}/resourcegroups/{group.Groups[1].Value}?api-version=2025-04-01", "{\"location\":\"eastus\"}");
                    }
                    break;
                case "assignment":
                    var id = parameters.ContainsKey("roleAssignmentId")
                        ? "/" + Value("roleAssignmentId")
                        : $"/{Value("scope")}/providers/Microsoft.Authorization/roleAssignments/{Text("roleAssignmentName") ?? Guid.NewGuid().ToString()}";
                    await Ok(HttpMethod.Put, $"{id}?api-version=2022-04-01", Assignment());
                    break;
                case "groupAssignment":
                    await SetUpAsync("group");
                    await Ok(HttpMethod.Put, $"/subscriptions/{Sub}/resourceGroups/{Group}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01", Assignment());
                    break;
                default:
                    throw new InvalidOperationException($"Unknown setup step '{step}' in example-replay.json.");
            }
        }

        private string Assignment() =>
            $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{Sub}/providers/Microsoft.Authorization/roleDefinitions/{Officer}\",\"principalId\":\"{Guid.NewGuid()}\",\"principalType\":\"ServicePrincipal\"}}}}";

        private string AccountId(string group, string name) => $"/subscriptions/{Sub}/resourceGroups/{group}/providers/Microsoft.CognitiveServices/accounts/{name}";

        private async Task AccountAsync(string group, string name)
        {
            var put = await Arm.SendAsync(HttpMethod.Put, $"{AccountId(group, name)}?api-version=2025-06-01",
                $"{{\"kind\":\"OpenAI\",\"sku\":{{\"name\":\"S0\"}},\"location\":\"{Location}\",\"tags\":{{\"example\":\"true\"}},\"properties\":{{\"customSubDomainName\":\"{name.ToLowerInvariant()}\"}}}}");
            Assert.True(put.Status is 200 or 201, $"account setup: {put.Status} {put.Text}");
            if (put.Headers.TryGetValues("Azure-AsyncOperation", out var poll)) Assert.Equal("Succeeded", await Arm.PollAsync(poll.Single()));
        }

        private async Task Ok(HttpMethod method, string url, string? body = null)
        {
            var reply = await Arm.SendAsync(method, url, body);
            Assert.True(reply.Status is >= 200 and < 300, $"setup {method} {url}: {reply.Status} {reply.Text}");
        }
    }
}
