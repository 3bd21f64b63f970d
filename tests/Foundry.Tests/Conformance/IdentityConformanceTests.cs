using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// User-assigned identities, the identity a site resolves its Key Vault references with (keyVaultReferenceIdentity),
/// and vaults authorized by access policies (enableRbacAuthorization false) for references and the data plane.
/// </summary>
public sealed class IdentityConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private string Group => $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-identity";

    [Fact]
    public async Task A_user_assigned_identity_has_principal_client_and_tenant_ids_that_a_second_PUT_keeps()
    {
        using var http = await GroupAsync();
        var id = $"{Group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-conf";
        var created = await http.SendAsync(HttpMethod.Put, $"{id}?api-version=2024-11-30", "{\"location\":\"eastus\",\"tags\":{\"a\":\"1\"}}");
        Assert.Equal(201, created.Status);

        var arm = emulator.CreateArmClient();
        var read = (await arm.GetGenericResource(new ResourceIdentifier(id)).GetAsync()).Value.Data;
        var properties = JsonNode.Parse(read.Properties.ToString())!;
        Assert.Equal("Microsoft.ManagedIdentity/userAssignedIdentities", read.ResourceType.ToString());
        Assert.Equal(emulator.Host.TenantId, properties["tenantId"]!.GetValue<string>());
        var principal = Guid.Parse(properties["principalId"]!.GetValue<string>());
        var client = Guid.Parse(properties["clientId"]!.GetValue<string>());
        Assert.NotEqual(principal, client);

        var again = await http.SendAsync(HttpMethod.Put, $"{id}?api-version=2024-11-30", "{\"location\":\"eastus\"}");
        Assert.Equal(200, again.Status);
        Assert.Equal(principal.ToString(), again.Body!["properties"]!["principalId"]!.GetValue<string>());
        Assert.Equal(client.ToString(), again.Body["properties"]!["clientId"]!.GetValue<string>());
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Delete, $"{id}?api-version=2024-11-30")).Status);
        Assert.Equal(404, (await http.SendAsync(HttpMethod.Get, $"{id}?api-version=2024-11-30")).Status);
        Assert.Equal(204, (await http.SendAsync(HttpMethod.Delete, $"{id}?api-version=2024-11-30")).Status);
    }

    [Fact]
    public async Task References_resolve_with_the_identity_keyVaultReferenceIdentity_names_and_access_policy_vaults_ignore_role_assignments()
    {
        using var http = await GroupAsync();
        var identityId = $"{Group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-refs";
        var identity = await http.SendAsync(HttpMethod.Put, $"{identityId}?api-version=2024-11-30", "{\"location\":\"eastus\"}");
        var userPrincipal = identity.Body!["properties"]!["principalId"]!.GetValue<string>();

        var site = $"{Group}/providers/Microsoft.Web/sites/func-identity";
        var siteBody = "{\"location\":\"eastus\",\"kind\":\"functionapp\",\"identity\":{\"type\":\"SystemAssigned, UserAssigned\",\"userAssignedIdentities\":{\"" + identityId + "\":{}}},\"properties\":{}}";
        var created = await http.SendAsync(HttpMethod.Put, $"{site}?api-version=2024-11-01", siteBody);
        Assert.Equal(201, created.Status);
        Assert.Equal("SystemAssigned", created.Body!["properties"]!["keyVaultReferenceIdentity"]!.GetValue<string>());
        var systemPrincipal = created.Body["identity"]!["principalId"]!.GetValue<string>();
        var attached = created.Body["identity"]!["userAssignedIdentities"]![identityId]!;
        Assert.Equal(userPrincipal, attached["principalId"]!.GetValue<string>());
        Assert.Equal(identity.Body["properties"]!["clientId"]!.GetValue<string>(), attached["clientId"]!.GetValue<string>());

        // An access-policy vault: the user-assigned identity may get secrets; the system-assigned one only holds a role.
        var vault = $"{Group}/providers/Microsoft.KeyVault/vaults/kv-id-conf";
        await http.SendAsync(HttpMethod.Put, $"{vault}?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[" +
            Policy(EmulatorFixture.Operator, "get", "set") + "," + Policy(userPrincipal, "get") + "]}}");
        await http.SendAsync(HttpMethod.Put, $"{vault}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
            $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{SecretsUser}\",\"principalId\":\"{systemPrincipal}\",\"principalType\":\"ServicePrincipal\"}}}}");
        await emulator.CreateSecretClient("kv-id-conf").SetSecretAsync("API-KEY", "from-policy");
        var reference = $"@Microsoft.KeyVault(VaultName=kv-id-conf;SecretName=API-KEY)";
        await http.SendAsync(HttpMethod.Put, $"{site}/config/appsettings?api-version=2024-11-01", $"{{\"properties\":{{\"API_KEY\":\"{reference}\"}}}}");
        Assert.Equal("AccessToKeyVaultDenied", await StatusAsync(http, site));

        var chooseUser = siteBody.Replace("\"properties\":{}", $"\"properties\":{{\"keyVaultReferenceIdentity\":\"{identityId}\"}}");
        var updated = await http.SendAsync(HttpMethod.Put, $"{site}?api-version=2024-11-01", chooseUser);
        Assert.Equal(systemPrincipal, updated.Body!["identity"]!["principalId"]!.GetValue<string>());
        Assert.Equal("Resolved", await StatusAsync(http, site));
        lock (emulator.Host.Cloud.Sync) Assert.Equal("from-policy", emulator.Host.Cloud.State.ResolvedReferences[site.ToLowerInvariant()]["API_KEY"].Value);

        // Only a user-assigned identity, references left to the (absent) system-assigned one: not enabled.
        var userOnly = await http.SendAsync(HttpMethod.Put, $"{site}?api-version=2024-11-01", siteBody.Replace("SystemAssigned, UserAssigned", "UserAssigned"));
        Assert.Null(userOnly.Body!["identity"]!["principalId"]);
        Assert.Equal("MSINotEnabled", await StatusAsync(http, site));
    }

    [Fact]
    public async Task Access_policies_add_and_remove_decide_what_SecretClient_may_read()
    {
        using var http = await GroupAsync();
        var vault = $"{Group}/providers/Microsoft.KeyVault/vaults/kv-ap-conf";
        await http.SendAsync(HttpMethod.Put, $"{vault}?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[{Policy(EmulatorFixture.Operator, "get", "set")}]}}}}");
        await emulator.CreateSecretClient("kv-ap-conf").SetSecretAsync("S1", "v1");
        var reader = emulator.CreateSecretClient("kv-ap-conf", principal: "p-policy-reader");

        var denied = await Assert.ThrowsAsync<RequestFailedException>(() => reader.GetSecretAsync("S1"));
        Assert.Equal(403, denied.Status);
        // A principal on no policy gets Key Vault's "not found on any access policy" wording (terraform-provider-azurerm#4569).
        Assert.Contains("Access denied. Caller was not found on any access policy.", denied.Message);
        Assert.Contains("Vault: kv-ap-conf;location=eastus", denied.Message);

        var added = await http.SendAsync(HttpMethod.Put, $"{vault}/accessPolicies/add?api-version=2025-05-01", $"{{\"properties\":{{\"accessPolicies\":[{Policy("p-policy-reader", "get", "list")}]}}}}");
        Assert.Equal(200, added.Status);
        Assert.Equal(2, added.Body!["properties"]!["accessPolicies"]!.AsArray().Count);
        Assert.Equal("v1", (await reader.GetSecretAsync("S1")).Value.Value);
        // add merges into the operator's existing policy instead of adding a second one.
        await http.SendAsync(HttpMethod.Put, $"{vault}/accessPolicies/add?api-version=2025-05-01", $"{{\"properties\":{{\"accessPolicies\":[{Policy(EmulatorFixture.Operator, "delete")}]}}}}");
        var read = await http.SendAsync(HttpMethod.Get, $"{vault}?api-version=2025-05-01");
        var operatorPolicy = read.Body!["properties"]!["accessPolicies"]!.AsArray().Single(p => p!["objectId"]!.GetValue<string>() == EmulatorFixture.Operator)!;
        Assert.Equal(new[] { "get", "set", "delete" }, operatorPolicy["permissions"]!["secrets"]!.AsArray().Select(p => p!.GetValue<string>()));

        var removed = await http.SendAsync(HttpMethod.Put, $"{vault}/accessPolicies/remove?api-version=2025-05-01", $"{{\"properties\":{{\"accessPolicies\":[{Policy("p-policy-reader", "get", "list")}]}}}}");
        Assert.Equal(200, removed.Status);
        Assert.Single(removed.Body!["properties"]!["accessPolicies"]!.AsArray());
        Assert.Equal(403, (await Assert.ThrowsAsync<RequestFailedException>(() => reader.GetSecretAsync("S1"))).Status);
    }

    private string Policy(string objectId, params string[] secrets) =>
        $"{{\"tenantId\":\"{emulator.Host.TenantId}\",\"objectId\":\"{objectId}\",\"permissions\":{{\"secrets\":[{string.Join(",", secrets.Select(s => $"\"{s}\""))}]}}}}";

    private async Task<HttpClient> GroupAsync()
    {
        var http = emulator.Authorized();
        await http.SendAsync(HttpMethod.Put, $"{Group}?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        return http;
    }

    private static async Task<string> StatusAsync(HttpClient http, string site) =>
        (await http.SendAsync(HttpMethod.Get, $"{site}/config/configreferences/appsettings?api-version=2024-11-01")).Body!["value"]!.AsArray()
            .Single(r => r!["name"]!.GetValue<string>() == "API_KEY")!["properties"]!["status"]!.GetValue<string>();
}
