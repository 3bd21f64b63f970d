using System.Text.Json.Nodes;
using Foundry.Engine.Environments;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// An existing vault authorized by access policies (enableRbacAuthorization false), where role assignments grant
/// nothing: up adds the app's and the operator's secret permissions through accessPolicies/add, keeping the policies
/// others hold, or, under keyVault.accessPolicies "refuse", stops before any write.
/// </summary>
public sealed class AccessPolicyVaultTests
{
    private const string VaultName = "kv-team-shared";
    private const string OtherPrincipal = "7d3c1f52-0a4e-4b8e-9d61-2f5a8c9e0b17";

    [Fact]
    public async Task Up_adds_access_policies_for_the_app_and_the_operator_keeps_the_others_and_converges()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        await cloud.Value.CreateAppAsync("func-contoso-dev");
        await CreateAccessPolicyVaultAsync(cloud.Value);
        var policy = PolicyWith(cloud.Value, "");

        var result = await UpAsync(cloud.Value, policy);

        Assert.Equal("Resolved", Assert.Single(result.Environment.Apps).ReferenceStatus);
        Assert.NotNull(cloud.Value.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY"));
        var policies = AccessPolicies(cloud.Value);
        Assert.Equal(new[] { "get", "list" }, SecretPermissions(policies, OtherPrincipal));
        Assert.Equal(new[] { "get" }, SecretPermissions(policies, AppPrincipal(cloud.Value)));
        Assert.Subset(new HashSet<string>(SecretPermissions(policies, LocalCloud.Operator)), new HashSet<string> { "get", "list", "set" });
        Assert.Equal(0, cloud.Value.CountResources(r => r.Type == "Microsoft.Authorization/roleAssignments"));

        // Inspection judges the app's access through the access policy, not a role assignment.
        var checks = await cloud.Value.Inspector.InspectAsync(policy, "dev", NullReporter.Instance, CancellationToken.None);
        var access = Assert.Single(checks, c => c.Check == EnvironmentCheckNames.AppRoleAssignment);
        Assert.True(access.Status == CheckStatus.Passed, access.Detail);

        // Converged: a second run writes nothing.
        var mark = cloud.Value.Mark;
        Assert.Empty((await UpAsync(cloud.Value, policy)).Changes);
        Assert.Equal(0, cloud.Value.MutatingSince(mark));
    }

    [Fact]
    public async Task Up_under_refuse_stops_before_any_write_naming_the_missing_permissions()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        await cloud.Value.CreateAppAsync("func-contoso-dev");
        await CreateAccessPolicyVaultAsync(cloud.Value);
        var policy = PolicyWith(cloud.Value, ", \"accessPolicies\": \"refuse\"");
        var before = AccessPolicies(cloud.Value).ToJsonString();
        var mark = cloud.Value.Mark;

        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud.Value, policy));

        Assert.Equal("KeyVaultAccessPolicyMissing", refused.ErrorId);
        Assert.Contains(AppPrincipal(cloud.Value), refused.Message);
        Assert.Contains(LocalCloud.Operator, refused.Message);
        Assert.Equal(0, cloud.Value.MutatingSince(mark));
        Assert.Equal(before, AccessPolicies(cloud.Value).ToJsonString());
    }

    [Fact]
    public async Task Down_removes_only_the_permissions_Foundry_granted_for_its_environment_never_a_persons_or_another_environments()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        await cloud.CreateAppAsync("func-contoso-staging");
        // A person already granted the operator "get" on the team's vault; dev and staging both use the vault.
        await CreateAccessPolicyVaultAsync(cloud, $$""", { "tenantId": "{{cloud.Host.TenantId}}", "objectId": "{{LocalCloud.Operator}}", "permissions": { "secrets": [ "get" ] } }""");
        var policy = PolicyReader.Parse($$"""
            {
              "app": "contoso",
              "defaults": {
                "subscriptionId": "{{cloud.Subscription}}",
                "location": "eastus",
                "deployments": [ { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 10 } ],
                "keyVault": { "create": false, "name": "{{VaultName}}", "resourceGroup": "rg-shared" },
                "rotation": { "refreshTimeoutSeconds": 5 }
              },
              "environments": {
                "dev": { "apps": [ { "name": "func-contoso-dev", "resourceGroup": "rg-apps" } ] },
                "staging": { "secretName": "AZURE-OPENAI-API-KEY-STAGING", "apps": [ { "name": "func-contoso-staging", "resourceGroup": "rg-apps" } ] }
              }
            }
            """);
        foreach (var environment in new[] { "dev", "staging" })
        {
            await cloud.Provisioner.ProvisionAsync(policy, environment, false, "run-up", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        }
        var everything = new[] { "get", "list", "set", "delete", "recover", "purge" }.Order().ToArray();
        Assert.Equal(everything, SecretPermissions(AccessPolicies(cloud), LocalCloud.Operator).Order().ToArray());

        var dev = await cloud.Remover.RemoveAsync(policy, "dev", false, "run-down-dev", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        Assert.False(dev.HasFailures);
        var policies = AccessPolicies(cloud);
        Assert.Empty(SecretPermissions(policies, AppPrincipal(cloud, "func-contoso-dev")));
        Assert.Equal(new[] { "get" }, SecretPermissions(policies, AppPrincipal(cloud, "func-contoso-staging")));
        // The operator's permissions stay: staging relies on what Foundry granted, the person granted "get".
        Assert.Equal(everything, SecretPermissions(policies, LocalCloud.Operator).Order().ToArray());
        Assert.Equal(new[] { "get", "list" }, SecretPermissions(policies, OtherPrincipal));

        var staging = await cloud.Remover.RemoveAsync(policy, "staging", false, "run-down-staging", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        Assert.False(staging.HasFailures);
        policies = AccessPolicies(cloud);
        Assert.Equal(new[] { "get" }, SecretPermissions(policies, LocalCloud.Operator));
        Assert.Empty(SecretPermissions(policies, AppPrincipal(cloud, "func-contoso-staging")));
        Assert.Equal(new[] { "get", "list" }, SecretPermissions(policies, OtherPrincipal));
        lock (cloud.Host.Cloud.Sync)
        {
            var vault = cloud.Host.Cloud.State.Resources.Values.Single(r => r.Id.Equals(VaultId(cloud), StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(vault.Tags!.Keys, k => k.StartsWith("foundry-kvap-", StringComparison.OrdinalIgnoreCase));
        }
    }

    internal static Task<ProvisionResult> UpAsync(LocalCloud cloud, FoundryPolicy policy) =>
        cloud.Provisioner.ProvisionAsync(policy, "dev", false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    internal static FoundryPolicy PolicyWith(LocalCloud cloud, string vaultExtra) => PolicyReader.Parse($$"""
        {
          "app": "contoso",
          "defaults": {
            "subscriptionId": "{{cloud.Subscription}}",
            "location": "eastus",
            "deployments": [ { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 10 } ],
            "requiredTags": { "cost-center": "ai" },
            "keyVault": { "create": false, "name": "{{VaultName}}", "resourceGroup": "rg-shared"{{vaultExtra}} },
            "rotation": { "refreshTimeoutSeconds": 5 }
          },
          "environments": { "dev": { "apps": [ { "name": "func-contoso-dev", "resourceGroup": "rg-apps" } ] } }
        }
        """);

    private static string VaultId(LocalCloud cloud) => $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/{VaultName}";

    /// <summary>The team's vault: access policies (not RBAC), one of them another principal's.</summary>
    internal static async Task CreateAccessPolicyVaultAsync(LocalCloud cloud, string extraPolicies = "")
    {
        using var http = cloud.Http();
        var group = await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourcegroups/rg-shared?api-version=2025-04-01", LocalCloud.Json("{\"location\":\"eastus\"}"));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        var vault = await http.PutAsync($"{VaultId(cloud)}?api-version=2025-05-01", LocalCloud.Json($$"""
            { "location": "eastus", "properties": { "tenantId": "{{cloud.Host.TenantId}}", "sku": { "family": "A", "name": "standard" },
              "enableRbacAuthorization": false, "enableSoftDelete": true, "softDeleteRetentionInDays": 7,
              "accessPolicies": [ { "tenantId": "{{cloud.Host.TenantId}}", "objectId": "{{OtherPrincipal}}", "permissions": { "secrets": [ "get", "list" ] } }{{extraPolicies}} ] } }
            """));
        Assert.True(vault.IsSuccessStatusCode, await vault.Content.ReadAsStringAsync());
    }

    private static JsonArray AccessPolicies(LocalCloud cloud)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            var vault = cloud.Host.Cloud.State.Resources.Values.Single(r => r.Id.Equals(VaultId(cloud), StringComparison.OrdinalIgnoreCase));
            return (JsonArray)vault.Properties["accessPolicies"]!.DeepClone();
        }
    }

    private static string[] SecretPermissions(JsonArray policies, string objectId) =>
        policies.OfType<JsonObject>().Where(p => p["objectId"]?.GetValue<string>() == objectId)
            .SelectMany(p => (p["permissions"]?["secrets"] as JsonArray ?? new JsonArray()).Select(s => s!.GetValue<string>())).ToArray();

    private static string AppPrincipal(LocalCloud cloud, string name = "func-contoso-dev")
    {
        lock (cloud.Host.Cloud.Sync)
        {
            var site = cloud.Host.Cloud.State.Resources.Values.Single(r => r.Type == "Microsoft.Web/sites" && r.Name == name);
            return site.Identity!["principalId"]!.GetValue<string>();
        }
    }
}
