using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>Role assignments, Web app settings and Key Vault reference statuses.</summary>
public sealed class WebAndAccessConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private string Group => $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-web";

    private static string Assignment(string subscription, string role, string principal) =>
        $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}\",\"principalId\":\"{principal}\",\"principalType\":\"ServicePrincipal\"}}}}";

    [Fact]
    public async Task Role_assignments_are_201_then_200_RoleAssignmentExists_under_another_name_and_204_when_absent()
    {
        using var http = emulator.Authorized();
        await http.SendAsync(HttpMethod.Put, $"{Group}?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        var name = Guid.NewGuid();
        var url = $"{Group}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01";
        var body = Assignment(emulator.Subscription, SecretsUser, "p-1");
        var created = await http.SendAsync(HttpMethod.Put, url, body);
        Assert.Equal(201, created.Status);
        Assert.Equal(Group, created.Body!["properties"]!["scope"]!.GetValue<string>());
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, url, body)).Status);
        var duplicate = await http.SendAsync(HttpMethod.Put, $"{Group}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01", body);
        Assert.Equal(409, duplicate.Status);
        Assert.Equal("RoleAssignmentExists", duplicate.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(400, (await http.SendAsync(HttpMethod.Put, $"{Group}/providers/Microsoft.Authorization/roleAssignments/not-a-guid?api-version=2022-04-01", body)).Status);
        var listed = await http.SendAsync(HttpMethod.Get, $"{Group}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter={Uri.EscapeDataString("principalId eq 'p-1'")}");
        Assert.Single(listed.Body!["value"]!.AsArray());
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Delete, url)).Status);
        Assert.Equal(204, (await http.SendAsync(HttpMethod.Delete, url)).Status);
    }

    [Fact]
    public async Task App_settings_list_by_POST_replace_by_PUT_and_references_resolve_only_after_access_and_refresh()
    {
        using var http = emulator.Authorized();
        await http.SendAsync(HttpMethod.Put, $"{Group}?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        var site = $"{Group}/providers/Microsoft.Web/sites/func-conf";
        var created = await http.SendAsync(HttpMethod.Put, $"{site}?api-version=2024-11-01", "{\"location\":\"eastus\",\"kind\":\"functionapp\",\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{}}");
        Assert.Equal(201, created.Status);
        var principal = created.Body!["identity"]!["principalId"]!.GetValue<string>();
        var vault = $"{Group}/providers/Microsoft.KeyVault/vaults/kv-web-conf";
        await http.SendAsync(HttpMethod.Put, $"{vault}?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true}}}}");
        await http.SendAsync(HttpMethod.Put, $"{vault}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
            Assignment(emulator.Subscription, "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", EmulatorFixture.Operator));
        var secrets = emulator.CreateSecretClient("kv-web-conf");
        await secrets.SetSecretAsync("AZURE-OPENAI-API-KEY", "first");

        var reference = $"@Microsoft.KeyVault(SecretUri=https://kv-web-conf.vault.localhost:{emulator.Host.Port}/secrets/AZURE-OPENAI-API-KEY/)";
        var put = await http.SendAsync(HttpMethod.Put, $"{site}/config/appsettings?api-version=2024-11-01", $"{{\"properties\":{{\"AZURE_OPENAI_API_KEY\":\"{reference}\",\"OTHER\":\"x\",\"BROKEN\":\"@Microsoft.KeyVault(nonsense)\"}}}}");
        Assert.Equal(200, put.Status);
        var statuses = await References(http, site);
        Assert.Equal("AccessToKeyVaultDenied", statuses["AZURE_OPENAI_API_KEY"]);
        Assert.Equal("InvalidSyntax", statuses["BROKEN"]);
        Assert.False(statuses.ContainsKey("OTHER"));

        await http.SendAsync(HttpMethod.Put, $"{vault}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01", Assignment(emulator.Subscription, SecretsUser, principal));
        Assert.Equal("AccessToKeyVaultDenied", (await References(http, site))["AZURE_OPENAI_API_KEY"]);
        await http.SendAsync(HttpMethod.Post, $"{site}/config/configreferences/appsettings/refresh?api-version=2024-11-01");
        Assert.Equal("Resolved", (await References(http, site))["AZURE_OPENAI_API_KEY"]);

        // A new version reaches the app only on refresh (or a config change), not by itself.
        await secrets.SetSecretAsync("AZURE-OPENAI-API-KEY", "second");
        Assert.Equal("first", Resolved(site));
        await http.SendAsync(HttpMethod.Post, $"{site}/config/configreferences/appsettings/refresh?api-version=2024-11-01");
        Assert.Equal("second", Resolved(site));

        var replaced = await http.SendAsync(HttpMethod.Put, $"{site}/config/appsettings?api-version=2024-11-01", "{\"properties\":{\"ONLY\":\"1\"}}");
        Assert.Equal(200, replaced.Status);
        var list = await http.SendAsync(HttpMethod.Post, $"{site}/config/appsettings/list?api-version=2024-11-01");
        Assert.Equal("{\"ONLY\":\"1\"}", list.Body!["properties"]!.ToJsonString());
        Assert.Equal("appsettings", list.Body["name"]!.GetValue<string>());
    }

    private static async Task<Dictionary<string, string>> References(HttpClient http, string site) =>
        (await http.SendAsync(HttpMethod.Get, $"{site}/config/configreferences/appsettings?api-version=2024-11-01")).Body!["value"]!.AsArray()
            .ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!["properties"]!["status"]!.GetValue<string>());

    private string? Resolved(string site)
    {
        lock (emulator.Host.Cloud.Sync) return emulator.Host.Cloud.State.ResolvedReferences[site.ToLowerInvariant()]["AZURE_OPENAI_API_KEY"].Value;
    }
}
