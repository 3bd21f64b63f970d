using System.Management.Automation;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Secrets;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// Issue 5's drift acceptance as an operator meets it: up, then three hand-made changes through the local cloud's
/// own APIs; Test-FoundryEnvironment names them, Repair-FoundryEnvironment -WhatIf plans them without a write,
/// Repair fixes them, everything passes after, a second Repair writes nothing, and no key fragment shows anywhere.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class DriftCmdletTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private const string SecretsUserRole = "4633458b-17de-408a-b874-0445c86b69e6";
    private readonly List<string> texts = new();

    [Fact]
    public async Task Hand_made_drift_is_reported_planned_with_zero_writes_repaired_and_a_second_repair_writes_nothing()
    {
        var up = Run("New-FoundryEnvironment -Environment dev");
        var environment = Assert.Single(up.Objects("FoundryEnvironment"));
        var accountId = ModuleRunspace.Prop<string>(environment, "ResourceId");
        var vaultName = ModuleRunspace.Prop<string>(environment, "KeyVaultName");
        var secretName = ModuleRunspace.Prop<string>(environment, "SecretName");
        Assert.All(Checks(), c => Assert.True(c.Status == "Passed", $"{c.Check}: {c.Detail}"));

        using var arm = Arm();
        var siteId = $"/subscriptions/{module.Host.DefaultSubscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/func-contoso-dev";
        var settings = (await arm.SendAsync(HttpMethod.Post, $"{siteId}/config/appsettings/list?api-version=2024-11-01")).Body!["properties"]!.AsObject();
        settings["AZURE_OPENAI_API_KEY"] = "pasted-by-hand";
        Assert.Equal(200, (await arm.SendAsync(HttpMethod.Put, $"{siteId}/config/appsettings?api-version=2024-11-01", new JsonObject { ["properties"] = settings.DeepClone() }.ToJsonString())).Status);

        var principal = (await arm.SendAsync(HttpMethod.Get, $"{siteId}?api-version=2024-11-01")).Body!["identity"]!["principalId"]!.GetValue<string>();
        var vaultId = $"/subscriptions/{module.Host.DefaultSubscription}/resourceGroups/{ModuleRunspace.Prop<string>(environment, "ResourceGroupName")}/providers/Microsoft.KeyVault/vaults/{vaultName}";
        var assignments = (await arm.SendAsync(HttpMethod.Get,
            $"{vaultId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter={Uri.EscapeDataString($"principalId eq '{principal}'")}")).Body!["value"]!.AsArray();
        var readRole = assignments.Single(a => a!["properties"]!["roleDefinitionId"]!.GetValue<string>().EndsWith(SecretsUserRole, StringComparison.OrdinalIgnoreCase))!;
        Assert.Equal(200, (await arm.SendAsync(HttpMethod.Delete, $"{readRole["id"]!.GetValue<string>()}?api-version=2022-04-01")).Status);

        var keys = (await arm.SendAsync(HttpMethod.Post, $"{accountId}/listKeys?api-version=2025-06-01")).Body!;
        var secrets = new SecretClient(module.Host.VaultUri(vaultName), new StaticTokenCredential("local-operator"),
            new SecretClientOptions { Transport = LocalTransport.CreateTransport(module.Host.CertificateThumbprint, module.Host.Port) });
        await secrets.SetSecretAsync(secretName, keys["key2"]!.GetValue<string>());

        var drifted = Checks();
        Assert.Equal(new[] { "AppRoleAssignment", "AppSettings", "Secret" }, drifted.Where(c => c.Status == "Failed").Select(c => c.Check).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "AppKeyVaultReference" }, drifted.Where(c => c.Status == "Skipped").Select(c => c.Check));
        Assert.Equal(new[] { "Account", "ChatCompletion", "Deployment", "DeploymentRetirement", "KeyVault", "ResourceGroup" }, drifted.Where(c => c.Status == "Passed").Select(c => c.Check).Order(StringComparer.Ordinal));
        Assert.All(drifted.Where(c => c.Status == "Failed"), c => Assert.Contains("Repair-FoundryEnvironment", c.RecommendedAction));

        var mark = module.Host.Cloud.Log.All.Count;
        var plan = Changes(Run("Repair-FoundryEnvironment -Environment dev -WhatIf -Verbose"));
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
        // The three fixes, and the refresh that makes the app pick them up (a write Repair makes, so the plan shows it).
        Assert.Equal(new[] { "Assign Microsoft.Authorization/roleAssignments", "Refresh Microsoft.Web/sites", "Update Microsoft.KeyVault/vaults/secrets", "Update Microsoft.Web/sites/config" },
            plan.Select(c => $"{c.Action} {c.ResourceType}").Order(StringComparer.Ordinal));

        var repaired = Changes(Run($"Repair-FoundryEnvironment -Environment dev -AuditLogPath '{module.AuditPath}' -Verbose -Debug"));
        Assert.Equal(plan.Order(), repaired.Order());
        Assert.All(Checks(), c => Assert.True(c.Status == "Passed", $"{c.Check}: {c.Detail}"));
        Assert.Equal(keys["key1"]!.GetValue<string>(), (await secrets.GetSecretAsync(secretName)).Value.Value);

        mark = module.Host.Cloud.Log.All.Count;
        Assert.Empty(Run("Repair-FoundryEnvironment -Environment dev").Output);
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));

        texts.Add(File.ReadAllText(module.AuditPath));
        var everything = string.Join("\n", texts);
        Assert.DoesNotContain("pasted-by-hand", everything);
        var issued = IssuedKeys();
        Assert.True(issued.Count >= 2);
        var leaks = issued.SelectMany(key => Enumerable.Range(0, key.Length - 7).Select(i => key.Substring(i, 8))).Where(fragment => everything.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.Empty(leaks);
    }

    [Fact]
    public void Repair_refuses_an_environment_up_never_made_with_a_stable_error_and_Test_says_what_is_missing()
    {
        var mark = module.Host.Cloud.Log.All.Count;
        var refused = module.Invoke("Repair-FoundryEnvironment -Environment pr-77");
        var error = Assert.Single(refused.Errors);
        Assert.Equal("EnvironmentNotProvisioned,Foundry.Commands.RepairFoundryEnvironmentCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("New-FoundryEnvironment -Environment pr-77", error.ErrorDetails.RecommendedAction);
        Assert.StartsWith("/subscriptions/", (string)error.TargetObject);

        var test = module.Invoke("Test-FoundryEnvironment -Environment pr-77");
        Assert.Empty(test.Errors);
        var checks = test.Objects("FoundryEnvironmentCheck").ToList();
        Assert.Equal("Failed", ModuleRunspace.Prop<string>(checks.Single(c => ModuleRunspace.Prop<string>(c, "Check") == "Account"), "Status"));
        Assert.DoesNotContain(checks, c => ModuleRunspace.Prop<string>(c, "Status") == "Passed");
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
    }

    [Fact]
    public void Get_shows_each_deployments_retirement_date_and_Test_warns_inside_the_window_as_the_catalogue_clock_moves()
    {
        // The catalogue retires gpt-4o 2024-08-06 on 2026-03-31 (Azure's published table).
        Run("New-FoundryEnvironment -Environment dev");
        try
        {
            module.Host.Cloud.SetCatalogueNow(new DateTimeOffset(2026, 2, 14, 1, 0, 0, TimeSpan.Zero));
            var shown = Assert.Single(Run("(Get-FoundryEnvironment -Environment dev).DeploymentDetails").Output);
            Assert.Equal(new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero), ModuleRunspace.Prop<DateTimeOffset?>(shown, "RetiresOn"));
            Assert.Equal(44, ModuleRunspace.Prop<int?>(shown, "DaysLeft"));
            // Deployments show model, version and capacity (issue 14, item 11), as the table view prints them.
            Assert.Equal(("GlobalStandard", 10), (ModuleRunspace.Prop<string>(shown, "Sku"), ModuleRunspace.Prop<int?>(shown, "Capacity")!.Value));
            var table = string.Join("\n", Run("(Get-FoundryEnvironment -Environment dev).DeploymentDetails | Format-Table | Out-String -Width 200").Output.Select(o => o.ToString()));
            Assert.Matches(@"Name\s+Model\s+Version\s+Sku\s+Capacity\s+VersionUpgradeOption\s+RetiresOn\s+DaysLeft", table);
            Assert.Matches(@"gpt-4o\s+gpt-4o\s+2024-08-06\s+GlobalStandard\s+10\s+NoAutoUpgrade\s+2026-03-31\s+44", table);
            var retirement = Checks().Single(c => c.Check == "DeploymentRetirement");
            Assert.Equal("Warning", retirement.Status);
            Assert.Contains("retires on 2026-03-31 (44 days left)", retirement.Detail);
        }
        finally
        {
            module.Host.Cloud.SetCatalogueNow(null);
        }
    }

    [Fact]
    public void Repair_supports_WhatIf_and_Test_does_not_and_both_declare_their_output_types()
    {
        Assert.Equal(true, module.Invoke("(Get-Command Repair-FoundryEnvironment).Parameters.ContainsKey('WhatIf')").Output.Single().BaseObject);
        Assert.Equal(false, module.Invoke("(Get-Command Test-FoundryEnvironment).Parameters.ContainsKey('WhatIf')").Output.Single().BaseObject);
        Assert.Equal("Foundry.Models.FoundryEnvironmentCheck", module.Invoke("(Get-Command Test-FoundryEnvironment).OutputType.Name").Output.Single().ToString());
        Assert.Equal("Foundry.Models.FoundryPlannedChange", module.Invoke("(Get-Command Repair-FoundryEnvironment).OutputType.Name").Output.Single().ToString());
    }

    private ModuleRunspace.Result Run(string script)
    {
        var result = module.Invoke(script);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => e.ToString())));
        texts.Add(result.AllText());
        return result;
    }

    private List<(string Check, string Status, string Detail, string? RecommendedAction)> Checks() =>
        Run("Test-FoundryEnvironment -Environment dev -Verbose").Objects("FoundryEnvironmentCheck").Select(c => (ModuleRunspace.Prop<string>(c, "Check"), ModuleRunspace.Prop<string>(c, "Status"),
            ModuleRunspace.Prop<string>(c, "Detail"), (string?)c.Properties["RecommendedAction"].Value)).ToList();

    private static List<(string Action, string ResourceType, string Target)> Changes(ModuleRunspace.Result result) =>
        result.Objects("FoundryPlannedChange").Select(c => (ModuleRunspace.Prop<string>(c, "Action"), ModuleRunspace.Prop<string>(c, "ResourceType"), ModuleRunspace.Prop<string>(c, "Target"))).ToList();

    private HttpClient Arm()
    {
        var http = new HttpClient(LocalTransport.CreateHandler(module.Host.CertificateThumbprint, module.Host.Port)) { BaseAddress = module.Host.ManagementEndpoint };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "local-operator");
        return http;
    }

    private HashSet<string> IssuedKeys()
    {
        lock (module.Host.Cloud.Sync) return module.Host.Cloud.State.AccountKeys.Values.SelectMany(k => new[] { k.Key1, k.Key2 }).ToHashSet();
    }
}
