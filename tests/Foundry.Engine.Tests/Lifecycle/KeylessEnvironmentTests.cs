using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Foundry.Emulator.Policy;
using Foundry.Engine.Environments;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// Keyless environments (policy auth "entra"): the account has no keys, each app's identity holds Cognitive Services
/// OpenAI User, and the apps' settings carry no key; up works where an Azure Policy forces disableLocalAuth.
/// </summary>
public sealed class KeylessEnvironmentTests
{
    private const string Site = "func-contoso-dev";
    public const string OpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";

    internal static FoundryPolicy EntraPolicy(LocalCloud cloud) => LocalCloud.PolicyFor(cloud.Subscription, ",\n\"auth\": \"entra\"");

    internal static Task<ProvisionResult> UpAsync(LocalCloud cloud, FoundryPolicy policy, bool whatIf = false) =>
        cloud.Provisioner.ProvisionAsync(policy, "dev", whatIf, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    internal static int OpenAIUserAssignments(LocalCloud cloud, string principal) => cloud.CountResources(r =>
        r.Type == "Microsoft.Authorization/roleAssignments" &&
        r.Properties["principalId"]?.GetValue<string>() == principal &&
        (r.Properties["roleDefinitionId"]?.GetValue<string>() ?? "").EndsWith(OpenAIUser, StringComparison.OrdinalIgnoreCase));

    internal static string SystemPrincipal(LocalCloud cloud, string site)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            return cloud.Host.Cloud.State.Resources.Values.Single(r => r.Type == "Microsoft.Web/sites" && r.Name == site).Identity!["principalId"]!.GetValue<string>();
        }
    }

    /// <summary>One chat completion with the emulator's token of <paramref name="principal"/> (what the app's identity would send).</summary>
    internal static async Task<int> ChatAsync(LocalCloud cloud, string endpoint, string? token = null, string? key = null)
    {
        using var http = cloud.DataPlaneHttp();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{endpoint}openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
        {
            Content = LocalCloud.Json("{\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (key is not null) request.Headers.Add("api-key", key);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task Up_of_an_entra_environment_where_policy_forces_disableLocalAuth_wires_identities_with_no_key_anywhere_and_a_rerun_writes_nothing()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        cloud.AssignPolicy(BuiltInPolicies.DisableLocalAuth($"/subscriptions/{cloud.Subscription}"));
        var policy = EntraPolicy(cloud);

        var planMark = cloud.Mark;
        var plan = await UpAsync(cloud, policy, whatIf: true);
        Assert.Equal(0, cloud.MutatingSince(planMark));
        Assert.Equal(new[] { "Assign", "Assign", "Wait" }, plan.Changes.Where(c => c.Action is "Assign" or "Wait").Select(c => c.Action));
        Assert.DoesNotContain(plan.Changes, c => c.ResourceType.Contains("KeyVault", StringComparison.Ordinal) || c.ResourceType == "secret");

        var up = await UpAsync(cloud, policy);
        Assert.Equal("entra", up.Environment.Auth);
        var endpoint = up.Environment.Endpoint!;
        var principal = SystemPrincipal(cloud, Site);
        Assert.Equal(1, OpenAIUserAssignments(cloud, principal));
        Assert.Equal(1, OpenAIUserAssignments(cloud, LocalCloud.Operator)); // the probe's principal
        Assert.Equal(new Dictionary<string, string> { ["UNRELATED_SETTING"] = "keep-me", ["AZURE_OPENAI_ENDPOINT"] = endpoint, ["AZURE_OPENAI_DEPLOYMENT"] = "gpt-4o" },
            cloud.AppSettings(Site));
        Assert.Equal(0, cloud.CountResources(r => r.Type == "Microsoft.KeyVault/vaults")); // no vault, no secret
        Assert.Contains(up.Changes, c => c.Action == "Wait"); // proven with a token after propagation
        Assert.Equal(200, await ChatAsync(cloud, endpoint, token: principal));
        var (key1, _) = cloud.Keys(up.Environment.AccountId!);
        Assert.Equal(403, await ChatAsync(cloud, endpoint, key: key1)); // keys are off

        var mark = cloud.Mark;
        var again = await UpAsync(cloud, policy);
        Assert.Empty(again.Changes);
        Assert.Equal(0, cloud.MutatingSince(mark));

        // Rotation in a loop over every environment: nothing to rotate, no error, nothing written.
        mark = cloud.Mark;
        var rotation = await cloud.Rotator.RotateAsync(policy, "dev", force: false, whatIf: false, "r", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Contains("nothing to rotate", rotation.Note, StringComparison.Ordinal);
        Assert.Equal(0, cloud.MutatingSince(mark));
    }

    [Fact]
    public async Task An_app_with_only_a_user_assigned_identity_gets_the_role_for_that_principal_and_AZURE_CLIENT_ID()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        using var http = cloud.Http();
        Assert.True((await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourcegroups/rg-apps?api-version=2025-04-01", LocalCloud.Json("{\"location\":\"eastus\"}"))).IsSuccessStatusCode);
        var identityId = $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-contoso-dev";
        var identity = JsonNode.Parse(await (await http.PutAsync($"{identityId}?api-version=2024-11-30", LocalCloud.Json("{\"location\":\"eastus\"}"))).Content.ReadAsStringAsync())!;
        var (userPrincipal, clientId) = (identity["properties"]!["principalId"]!.GetValue<string>(), identity["properties"]!["clientId"]!.GetValue<string>());
        var site = await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{Site}?api-version=2024-11-01", LocalCloud.Json(
            $"{{\"location\":\"eastus\",\"kind\":\"functionapp,linux\",\"identity\":{{\"type\":\"UserAssigned\",\"userAssignedIdentities\":{{\"{identityId}\":{{}}}}}},\"properties\":{{}}}}"));
        Assert.True(site.IsSuccessStatusCode, await site.Content.ReadAsStringAsync());

        var up = await UpAsync(cloud, EntraPolicy(cloud));
        Assert.Equal(1, OpenAIUserAssignments(cloud, userPrincipal));
        var settings = cloud.AppSettings(Site);
        Assert.Equal(clientId, settings["AZURE_CLIENT_ID"]);
        Assert.False(settings.ContainsKey("AZURE_OPENAI_API_KEY"));
        Assert.Equal(200, await ChatAsync(cloud, up.Environment.Endpoint!, token: userPrincipal));
    }

    [Fact]
    public async Task WhatIf_of_a_move_from_keys_to_entra_plans_the_steps_in_their_safe_order_and_writes_nothing()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        await cloud.UpAsync("dev");

        var mark = cloud.Mark;
        var plan = await UpAsync(cloud, EntraPolicy(cloud), whatIf: true);
        Assert.Equal(0, cloud.MutatingSince(mark));
        var order = plan.Changes.Select(c => $"{c.Action} {c.ResourceType.Split('/').Last()}: {c.Reason}").ToList();
        int At(string fragment) => order.FindIndex(c => c.Contains(fragment, StringComparison.Ordinal));
        var steps = new[]
        {
            // (The endpoint and deployment settings are already there: the write beside the key has nothing to add.)
            At("identity calls the deployments"), At("Wait roleAssignments"), At("Refresh sites"), At("remove AZURE_OPENAI_API_KEY"), At("Delete secret"), At("disableLocalAuth true"),
        };
        Assert.True(steps.All(i => i >= 0), string.Join("\n", order));
        Assert.Equal(steps.OrderBy(i => i), steps);
    }

    [Fact]
    public async Task Test_finds_keys_back_on_a_key_setting_and_a_missing_role_and_Repair_puts_the_keyless_wiring_back()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var policy = EntraPolicy(cloud);
        var up = await UpAsync(cloud, policy);
        var accountId = up.Environment.AccountId!;
        Task<IReadOnlyList<EnvironmentCheck>> TestAsync() => cloud.Inspector.InspectAsync(policy, "dev", NullReporter.Instance, CancellationToken.None);
        Assert.All(await TestAsync(), c => Assert.Equal(CheckStatus.Passed, c.Status));

        // Someone turns keys back on, pastes a key into the app and removes the app's role.
        using var http = cloud.Http();
        Assert.True((await http.PatchAsync($"{accountId}?api-version=2025-06-01", LocalCloud.Json("{\"properties\":{\"disableLocalAuth\":false}}"))).IsSuccessStatusCode);
        var settings = cloud.AppSettings(Site);
        settings["AZURE_OPENAI_API_KEY"] = "pasted-by-hand";
        Assert.True((await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{Site}/config/appsettings?api-version=2024-11-01",
            LocalCloud.Json(new JsonObject { ["properties"] = new JsonObject(settings.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) }.ToJsonString()))).IsSuccessStatusCode);
        string roleId;
        lock (cloud.Host.Cloud.Sync)
        {
            var principal = SystemPrincipal(cloud, Site);
            roleId = cloud.Host.Cloud.State.Resources.Values.Single(r => r.Type == "Microsoft.Authorization/roleAssignments" && r.Properties["principalId"]?.GetValue<string>() == principal &&
                (r.Properties["roleDefinitionId"]?.GetValue<string>() ?? "").EndsWith(OpenAIUser, StringComparison.OrdinalIgnoreCase)).Id;
        }
        Assert.True((await http.DeleteAsync($"{roleId}?api-version=2022-04-01")).IsSuccessStatusCode);

        var failed = (await TestAsync()).Where(c => c.Status == CheckStatus.Failed).Select(c => c.Check).OrderBy(c => c).ToList();
        Assert.Equal(new[] { EnvironmentCheckNames.AppRoleAssignment, EnvironmentCheckNames.AppSettings, EnvironmentCheckNames.LocalAuth }, failed);

        await cloud.Provisioner.RepairAsync(policy, "dev", whatIf: false, "repair", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.All(await TestAsync(), c => Assert.Equal(CheckStatus.Passed, c.Status));
        Assert.False(cloud.AppSettings(Site).ContainsKey("AZURE_OPENAI_API_KEY"));
        // The re-made role reaches the data plane after propagation (realistic profile), as the app would find on Azure:
        // Repair proves the wiring with the operator's token, so the app's own token may be refused for a moment.
        var served = System.Diagnostics.Stopwatch.StartNew();
        int status;
        while ((status = await ChatAsync(cloud, up.Environment.Endpoint!, token: SystemPrincipal(cloud, Site))) == 401 && served.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(100);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Down_of_a_keyless_environment_removes_the_account_its_role_assignments_and_the_settings_it_wrote()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var policy = EntraPolicy(cloud);
        await UpAsync(cloud, policy);

        var report = await cloud.Remover.RemoveAsync(policy, "dev", false, "down", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Equal("Verified", report.Status);
        Assert.False(report.HasFailures);
        Assert.Equal(new[] { "UNRELATED_SETTING" }, cloud.AppSettings(Site).Keys);
        Assert.Equal(0, OpenAIUserAssignments(cloud, SystemPrincipal(cloud, Site)));
        Assert.Equal(0, cloud.CountResources(r => r.Type == "Microsoft.CognitiveServices/accounts"));
    }
}
