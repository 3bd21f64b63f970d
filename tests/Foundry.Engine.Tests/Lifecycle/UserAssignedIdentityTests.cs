using Foundry.Engine.Environments;
using System.Text.Json.Nodes;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// Apps whose Key Vault references resolve with a user-assigned identity: up grants read access to the principal
/// App Service actually uses (keyVaultReferenceIdentity), and an app with only a user-assigned identity is told to use it.
/// </summary>
public sealed class UserAssignedIdentityTests
{
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    [Fact]
    public async Task An_app_whose_references_use_its_user_assigned_identity_gets_read_access_for_that_principal_and_resolves()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        var (identityId, userPrincipal) = await CreateIdentityAsync(cloud.Value, "id-contoso-dev");
        var site = await CreateSiteAsync(cloud.Value, "func-contoso-dev", "SystemAssigned, UserAssigned", identityId, referenceIdentity: identityId);
        var systemPrincipal = site["identity"]!["principalId"]!.GetValue<string>();

        var result = await cloud.Value.UpAsync("dev");

        Assert.Equal("Resolved", Assert.Single(result.Environment.Apps).ReferenceStatus);
        Assert.Equal(1, ReadAssignments(cloud.Value, userPrincipal));
        Assert.Equal(0, ReadAssignments(cloud.Value, systemPrincipal));
        Assert.NotNull(cloud.Value.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY"));

        // Inspection checks the role of the principal that resolves the references, not the system-assigned one.
        var checks = await cloud.Value.Inspector.InspectAsync(cloud.Value.Policy, "dev", NullReporter.Instance, CancellationToken.None);
        var role = Assert.Single(checks, c => c.Check == EnvironmentCheckNames.AppRoleAssignment);
        Assert.True(role.Status == CheckStatus.Passed, role.Detail);
        Assert.Contains(userPrincipal, role.Detail);
    }

    [Fact]
    public async Task An_app_with_only_a_user_assigned_identity_is_pointed_at_it_and_resolves()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        var (identityId, userPrincipal) = await CreateIdentityAsync(cloud.Value, "id-contoso-dev");
        await CreateSiteAsync(cloud.Value, "func-contoso-dev", "UserAssigned", identityId, referenceIdentity: null);

        var result = await cloud.Value.UpAsync("dev");

        Assert.Contains(result.Changes, c => c.Action == "Update" && c.ResourceType == "Microsoft.Web/sites");
        Assert.Equal("Resolved", Assert.Single(result.Environment.Apps).ReferenceStatus);
        Assert.Equal(1, ReadAssignments(cloud.Value, userPrincipal));
        using var http = cloud.Value.Http();
        var read = JsonNode.Parse(await http.GetStringAsync($"{SiteId(cloud.Value, "func-contoso-dev")}?api-version=2024-11-01"))!;
        Assert.Equal(identityId, read["properties"]!["keyVaultReferenceIdentity"]!.GetValue<string>());

        // Converged: a second run changes nothing.
        Assert.Empty((await cloud.Value.UpAsync("dev")).Changes);
    }

    private static string SiteId(LocalCloud cloud, string name) =>
        $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{name}";

    private static async Task<(string Id, string PrincipalId)> CreateIdentityAsync(LocalCloud cloud, string name)
    {
        using var http = cloud.Http();
        var group = await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourcegroups/rg-apps?api-version=2025-04-01", LocalCloud.Json("{\"location\":\"eastus\"}"));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        var id = $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}";
        var created = await http.PutAsync($"{id}?api-version=2024-11-30", LocalCloud.Json("{\"location\":\"eastus\"}"));
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, body);
        return (id, JsonNode.Parse(body)!["properties"]!["principalId"]!.GetValue<string>());
    }

    private static async Task<JsonNode> CreateSiteAsync(LocalCloud cloud, string name, string identityType, string identityId, string? referenceIdentity)
    {
        using var http = cloud.Http();
        var properties = referenceIdentity is null ? "{}" : $"{{\"keyVaultReferenceIdentity\":\"{referenceIdentity}\"}}";
        var site = await http.PutAsync($"{SiteId(cloud, name)}?api-version=2024-11-01", LocalCloud.Json(
            $"{{\"location\":\"eastus\",\"kind\":\"functionapp,linux\",\"identity\":{{\"type\":\"{identityType}\",\"userAssignedIdentities\":{{\"{identityId}\":{{}}}}}},\"properties\":{properties}}}"));
        var body = await site.Content.ReadAsStringAsync();
        Assert.True(site.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!;
    }

    private static int ReadAssignments(LocalCloud cloud, string principal) => cloud.CountResources(r =>
        r.Type == "Microsoft.Authorization/roleAssignments" &&
        r.Properties["principalId"]?.GetValue<string>() == principal &&
        (r.Properties["roleDefinitionId"]?.GetValue<string>() ?? "").EndsWith(SecretsUser, StringComparison.OrdinalIgnoreCase));
}
