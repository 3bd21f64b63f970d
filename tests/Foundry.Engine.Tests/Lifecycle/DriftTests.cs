using Foundry.Engine.Access;
using Foundry.Engine.Apps;
using Foundry.Engine.Environments;
using Xunit.Abstractions;
using static Foundry.Engine.Environments.EnvironmentCheckNames;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>Test-FoundryEnvironment's and Repair-FoundryEnvironment's engine: drift made by hand through the emulator, found, planned, fixed.</summary>
public sealed class DriftTests(ITestOutputHelper output)
{
    private const string Site = "func-contoso-dev";
    private const string SecretName = "AZURE-OPENAI-API-KEY";

    private static Task<IReadOnlyList<EnvironmentCheck>> InspectAsync(LocalCloud cloud, string environment) =>
        cloud.Inspector.InspectAsync(cloud.Policy, environment, NullReporter.Instance, CancellationToken.None);

    private static Task<ProvisionResult> RepairAsync(LocalCloud cloud, string environment, bool whatIf = false) =>
        cloud.Provisioner.RepairAsync(cloud.Policy, environment, whatIf, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    private static string[] With(IEnumerable<EnvironmentCheck> checks, CheckStatus status) =>
        checks.Where(c => c.Status == status).Select(c => c.Check).OrderBy(c => c, StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Hand_made_drift_in_a_setting_a_role_and_the_secret_is_found_planned_without_writes_repaired_and_a_second_repair_writes_nothing()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        var converged = await InspectAsync(cloud, "dev");
        Assert.Equal(new[] { ResourceGroup, Account, Deployment, DeploymentRetirement, KeyVault, Secret, ChatCompletion, AppSettings, AppRoleAssignment, AppKeyVaultReference }, converged.Select(c => c.Check));
        Assert.All(converged, c => Assert.True(c.Status == CheckStatus.Passed, $"{c.Check}: {c.Detail}"));

        var services = cloud.Services;
        var siteId = AppOperations.IdOf(cloud.Subscription, "rg-apps", Site);
        var vault = (await services.Vaults.GetAsync(VaultIdOf(cloud, up.Environment), CancellationToken.None))!;
        var settings = await services.Apps.ListSettingsAsync(siteId, CancellationToken.None);
        settings["AZURE_OPENAI_API_KEY"] = "pasted-by-hand";
        await services.Apps.ReplaceSettingsAsync(siteId, settings, CancellationToken.None);
        var principal = (await services.Apps.GetAsync(siteId, CancellationToken.None))!.PrincipalId!;
        var assignment = (await services.RoleAssignments.FindAsync(vault.ResourceId, principal, BuiltInRoles.KeyVaultSecretsUser, CancellationToken.None))!;
        Assert.True(await services.RoleAssignments.DeleteAsync(assignment.ResourceId, CancellationToken.None));
        var keys = cloud.Keys(up.Environment.AccountId!);
        // As `az keyvault secret set` would: a new version with the other key and no tags.
        await services.Secrets.SetAsync(vault.VaultUri, SecretName, keys.Key2, new Dictionary<string, string>(), CancellationToken.None);

        var reads = cloud.Mark;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var drifted = await InspectAsync(cloud, "dev");
        output.WriteLine($"Test on a drifted environment: {cloud.Mark - reads} requests, {started.ElapsedMilliseconds} ms");
        Assert.Equal(0, cloud.MutatingSince(reads));
        Assert.Equal(new[] { AppRoleAssignment, AppSettings, Secret }, With(drifted, CheckStatus.Failed));
        Assert.Equal(new[] { AppKeyVaultReference }, With(drifted, CheckStatus.Skipped));
        Assert.Contains("holds key2 but the active slot is key1", drifted.Single(c => c.Check == Secret).Detail);
        Assert.All(drifted.Where(c => c.Status == CheckStatus.Failed), c => Assert.Contains("Repair-FoundryEnvironment -Environment dev", c.RecommendedAction));
        Assert.DoesNotContain("pasted-by-hand", string.Join("\n", drifted.Select(c => c.Detail)));

        var mark = cloud.Mark;
        var plan = await RepairAsync(cloud, "dev", whatIf: true);
        Assert.Equal(0, cloud.MutatingSince(mark));
        Assert.Equal(new[] { "Assign Microsoft.Authorization/roleAssignments", "Refresh Microsoft.Web/sites", "Update Microsoft.Web/sites/config", "Update secret" },
            plan.Changes.Select(c => $"{c.Action} {c.ResourceType}").OrderBy(c => c, StringComparer.Ordinal));
        Assert.Contains("holds key1", plan.Changes.Single(c => c.ResourceType == "secret").Reason);
        // Repair is up's convergence: New-FoundryEnvironment -WhatIf plans the very same fixes.
        var upPlan = await cloud.UpAsync("dev", whatIf: true);
        Assert.Equal(plan.Changes.OrderBy(c => c.Target).ThenBy(c => c.Action), upPlan.Changes.OrderBy(c => c.Target).ThenBy(c => c.Action));
        Assert.Equal(0, cloud.MutatingSince(mark));

        var repair = await RepairAsync(cloud, "dev");
        Assert.Equal(plan.Changes.Select(c => (c.Action, c.ResourceType, c.Target)).OrderBy(c => c), repair.Changes.Select(c => (c.Action, c.ResourceType, c.Target)).OrderBy(c => c));
        Assert.Equal(keys.Key1, cloud.SecretValue(vault.Name, SecretName));
        Assert.Equal(keys.Key1, cloud.ResolvedValue(Site, "AZURE_OPENAI_API_KEY"));
        Assert.Equal("keep-me", cloud.AppSettings(Site)["UNRELATED_SETTING"]);
        Assert.All(await InspectAsync(cloud, "dev"), c => Assert.True(c.Status == CheckStatus.Passed, $"{c.Check}: {c.Detail}"));

        mark = cloud.Mark;
        Assert.Empty((await RepairAsync(cloud, "dev")).Changes);
        Assert.Equal(0, cloud.MutatingSince(mark));
    }

    [Fact]
    public async Task Checks_that_cannot_run_say_why_and_repair_refuses_an_environment_up_never_made()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-staging");

        var checks = await InspectAsync(cloud, "staging");
        Assert.Equal(new[] { Account, KeyVault, ResourceGroup }, With(checks, CheckStatus.Failed));
        Assert.Empty(With(checks, CheckStatus.Passed));
        Assert.All(checks.Where(c => c.Status == CheckStatus.Skipped), c => Assert.StartsWith("Not checked: ", c.Detail));
        Assert.Contains("New-FoundryEnvironment -Environment staging", checks.Single(c => c.Check == Account).RecommendedAction);

        var mark = cloud.Mark;
        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => RepairAsync(cloud, "staging"));
        Assert.Equal(Foundry.Engine.Errors.EngineErrorIds.EnvironmentNotProvisioned, refused.ErrorId);
        Assert.Equal(FailureKind.NotFound, refused.Kind);
        Assert.Equal(0, cloud.MutatingSince(mark));
    }

    [Fact]
    public async Task After_a_rotation_the_active_slot_is_key2_and_a_deployment_refusing_the_key_fails_the_chat_check()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        await cloud.UpAsync("dev");
        await cloud.Rotator.RotateAsync(cloud.Policy, "dev", false, false, "rotate", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        var rotated = await InspectAsync(cloud, "dev");
        Assert.All(rotated, c => Assert.True(c.Status == CheckStatus.Passed, $"{c.Check}: {c.Detail}"));
        Assert.Contains("holds key2", rotated.Single(c => c.Check == Secret).Detail);

        var refusing = cloud.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule { Method = "POST", PathPattern = "/chat/completions$", Status = 401, Code = "401" });
        var chat = (await InspectAsync(cloud, "dev")).Single(c => c.Check == ChatCompletion);
        cloud.Host.Cloud.Faults.Remove(refusing.Id);
        Assert.Equal(CheckStatus.Failed, chat.Status);
        Assert.Contains("HTTP 401", chat.Detail);
        Assert.Contains("Repair-FoundryEnvironment", chat.RecommendedAction);
        Assert.EndsWith("/deployments/gpt-4o", chat.ResourceId);
    }

    [Fact]
    public async Task A_hand_written_version_after_a_rotation_leaves_the_rotated_slot_active_even_within_one_second()
    {
        // Key Vault's created time has whole seconds and the order of listed versions is not defined: with every
        // version created in the same (frozen) minute, only Foundry's own write time tells which one came last.
        await using var scope = await LocalCloudScope.StartAsync(new Foundry.Emulator.EmulatorOptions { Time = new WholeMinuteClock() });
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        for (var i = 0; i < 3; i++) await cloud.Rotator.RotateAsync(cloud.Policy, "dev", false, false, "rotate", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        var vault = (await cloud.Services.Vaults.GetAsync(VaultIdOf(cloud, up.Environment), CancellationToken.None))!;
        var keys = cloud.Keys(up.Environment.AccountId!);
        await cloud.Services.Secrets.SetAsync(vault.VaultUri, SecretName, keys.Key1, new Dictionary<string, string>(), CancellationToken.None);

        var secret = (await InspectAsync(cloud, "dev")).Single(c => c.Check == Secret);
        Assert.Equal(CheckStatus.Failed, secret.Status);
        Assert.Contains("holds key1 but the active slot is key2", secret.Detail);
        Assert.Contains("holds key2", Assert.Single((await RepairAsync(cloud, "dev", whatIf: true)).Changes, c => c.ResourceType == "secret").Reason);
    }

    private static string VaultIdOf(LocalCloud cloud, EnvironmentInfo environment) =>
        Vaults.VaultOperations.IdOf(cloud.Subscription, environment.ResourceGroupName, environment.KeyVaultName);

    /// <summary>The system time floored to its minute: everything the emulator stamps within one minute ties.</summary>
    private sealed class WholeMinuteClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            var now = base.GetUtcNow();
            return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        }
    }
}
