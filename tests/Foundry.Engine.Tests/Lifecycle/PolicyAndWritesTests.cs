using System.Text.Json.Nodes;
using Foundry.Emulator.Policy;
using Foundry.Engine.Environments;
using Foundry.Engine.Errors;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>Azure Policy (deny, and the modify that disables keys) and writes that must not destroy what others set (PUT replaces).</summary>
public sealed class PolicyAndWritesTests
{
    private const string Site = "func-contoso-dev";
    private const string Api = "api-version=2025-06-01";

    private static string AccountIdIn(LocalCloud cloud)
    {
        lock (cloud.Host.Cloud.Sync) return cloud.Host.Cloud.State.Resources.Values.Single(r => r.Type == "Microsoft.CognitiveServices/accounts").Id;
    }

    private static int Secrets(LocalCloud cloud)
    {
        lock (cloud.Host.Cloud.Sync) return cloud.Host.Cloud.State.Vaults.Values.Sum(v => v.Secrets.Count);
    }

    [Fact]
    public async Task Up_of_a_keys_environment_where_policy_disables_local_auth_stops_before_any_write_naming_the_assignment_with_the_entra_remedy()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var assignment = BuiltInPolicies.DisableLocalAuth($"/subscriptions/{cloud.Subscription}");
        cloud.AssignPolicy(assignment);

        var mark = cloud.Mark;
        var e = await Assert.ThrowsAsync<FoundryEngineException>(() => cloud.UpAsync("dev"));
        Assert.Equal(EngineErrorIds.LocalAuthDisabled, e.ErrorId);
        Assert.Equal(0, cloud.MutatingSince(mark)); // before any write: no resource group, account, vault or setting
        Assert.Contains($"'{assignment.DisplayName}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(assignment.Id, e.Message, StringComparison.Ordinal);
        Assert.Contains("\"auth\": \"entra\"", e.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("exemption", e.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(0, cloud.CountResources(r => r.Type is "Microsoft.CognitiveServices/accounts" or "Microsoft.KeyVault/vaults"));
        Assert.Equal(0, Secrets(cloud));
        Assert.Equal(new Dictionary<string, string> { ["UNRELATED_SETTING"] = "keep-me" }, cloud.AppSettings(Site));
    }

    [Fact]
    public async Task An_existing_account_whose_keys_a_policy_turned_off_stops_a_keys_up_before_any_write()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        await cloud.UpAsync("dev");
        var accountId = AccountIdIn(cloud);
        // The policy arrives later and remediation turns the existing account's keys off.
        using (var http = cloud.Http()) Assert.True((await http.PatchAsync($"{accountId}?{Api}", LocalCloud.Json("{\"properties\":{\"disableLocalAuth\":true}}"))).IsSuccessStatusCode);

        var mark = cloud.Mark;
        var again = await Assert.ThrowsAsync<FoundryEngineException>(() => cloud.UpAsync("dev"));
        Assert.Equal(EngineErrorIds.LocalAuthDisabled, again.ErrorId);
        Assert.Contains(accountId, again.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("keyless", again.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(0, cloud.MutatingSince(mark));
    }

    [Fact]
    public async Task A_deny_assignment_becomes_PolicyDenied_naming_the_assignment_not_a_role_to_grant()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var subscription = $"/subscriptions/{cloud.Subscription}";
        cloud.AssignPolicy(BuiltInPolicies.Deny(subscription, "deny-vaults-contoso", "Key Vaults only through the platform team", "Microsoft.KeyVault/vaults"));

        var e = await Assert.ThrowsAsync<FoundryEngineException>(() => cloud.UpAsync("dev"));
        Assert.Equal(EngineErrorIds.PolicyDenied, e.ErrorId);
        Assert.Equal(FailureKind.Forbidden, e.Kind);
        Assert.Contains("'Key Vaults only through the platform team'", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{subscription}/providers/Microsoft.Authorization/policyAssignments/deny-vaults-contoso", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Grant", e.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("exemption", e.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Network_rules_local_auth_setting_and_content_filter_survive_every_update_path_of_repair_and_up()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        var accountId = up.Environment.AccountId!;
        var groupId = accountId[..accountId.IndexOf("/providers/", StringComparison.Ordinal)];
        using var http = cloud.Http();

        // The network team locks the account down (PATCH), security sets a stricter content filter and an operator lowers capacity by hand.
        var locked = await http.PatchAsync($"{accountId}?{Api}", LocalCloud.Json("""
            {"properties":{"publicNetworkAccess":"Disabled","disableLocalAuth":false,"restrictOutboundNetworkAccess":true,
             "networkAcls":{"defaultAction":"Deny","ipRules":[{"value":"203.0.113.0/24"}]}}}
            """));
        Assert.True(locked.IsSuccessStatusCode, await locked.Content.ReadAsStringAsync());
        var deployment = $"{accountId}/deployments/gpt-4o?{Api}";
        var filtered = await http.PutAsync(deployment, LocalCloud.Json("""
            {"sku":{"name":"GlobalStandard","capacity":5},"properties":{"model":{"format":"OpenAI","name":"gpt-4o","version":"2024-08-06"},
             "raiPolicyName":"contoso-strict","versionUpgradeOption":"NoAutoUpgrade"}}
            """));
        Assert.True(filtered.IsSuccessStatusCode, await filtered.Content.ReadAsStringAsync());
        // Someone replaced the tags of the account and its group: Foundry's identity tags are gone.
        foreach (var scopeId in new[] { accountId, groupId })
        {
            var tags = await http.PutAsync($"{scopeId}/providers/Microsoft.Resources/tags/default?api-version=2025-04-01", LocalCloud.Json("{\"properties\":{\"tags\":{\"owner\":\"network-team\"}}}"));
            Assert.True(tags.IsSuccessStatusCode, await tags.Content.ReadAsStringAsync());
        }

        await cloud.Provisioner.RepairAsync(cloud.Policy, "dev", false, "repair", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        await AssertSurvivedAsync(http, accountId, groupId, deployment);
        await cloud.UpAsync("dev");
        await AssertSurvivedAsync(http, accountId, groupId, deployment);
    }

    private static async Task AssertSurvivedAsync(HttpClient http, string accountId, string groupId, string deployment)
    {
        var account = JsonNode.Parse(await http.GetStringAsync($"{accountId}?{Api}"))!;
        var properties = account["properties"]!;
        Assert.Equal("Disabled", properties["publicNetworkAccess"]!.GetValue<string>());
        Assert.False(properties["disableLocalAuth"]!.GetValue<bool>());
        Assert.True(properties["restrictOutboundNetworkAccess"]!.GetValue<bool>());
        Assert.Equal("203.0.113.0/24", properties["networkAcls"]!["ipRules"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("network-team", account["tags"]!["owner"]!.GetValue<string>());
        Assert.Equal("dev", account["tags"]!["foundry-env"]!.GetValue<string>());
        var group = JsonNode.Parse(await http.GetStringAsync($"{groupId}?api-version=2025-04-01"))!;
        Assert.Equal("network-team", group["tags"]!["owner"]!.GetValue<string>());
        Assert.Equal("dev", group["tags"]!["foundry-env"]!.GetValue<string>());

        var model = JsonNode.Parse(await http.GetStringAsync(deployment))!;
        Assert.Equal(10, model["sku"]!["capacity"]!.GetValue<int>());
        Assert.Equal("contoso-strict", model["properties"]!["raiPolicyName"]!.GetValue<string>());
        Assert.Equal("NoAutoUpgrade", model["properties"]!["versionUpgradeOption"]!.GetValue<string>());
    }
}
