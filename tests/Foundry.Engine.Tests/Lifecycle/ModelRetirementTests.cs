using System.Text.Json.Nodes;
using Foundry.Engine.Deployments;
using Foundry.Engine.Environments;
using Foundry.Engine.Errors;
using Foundry.Engine.Policy;
using static Foundry.Engine.Environments.EnvironmentCheckNames;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// Model lifecycle: the deployment's versionUpgradeOption from the policy, and retirement windows judged from the
/// models list's deprecation.inference. The emulator's catalogue retires gpt-4o 2024-08-06 on 2026-03-31 (Azure's
/// published table); its catalogue clock is moved to stand before, inside and past the policy's windows.
/// </summary>
public sealed class ModelRetirementTests
{
    private const string Api = "api-version=2025-06-01";
    private static readonly DateTimeOffset Retirement = new(2026, 3, 31, 0, 0, 0, TimeSpan.Zero);

    private static FoundryPolicy PolicyWith(string subscription, int capacity = 10, string upgrade = "") => PolicyReader.Parse($$"""
        {
          "app": "contoso",
          "defaults": {
            "subscriptionId": "{{subscription}}",
            "location": "eastus",
            "deployments": [ { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "capacity": {{capacity}}{{upgrade}} } ],
            "keyVault": { "create": true },
            "retirement": { "refuseWithinDays": 30, "warnWithinDays": 90 }
          },
          "environments": { "dev": {} }
        }
        """);

    private static async Task<EnvironmentCheck> RetirementCheckAsync(LocalCloud cloud, FoundryPolicy policy) =>
        (await cloud.Inspector.InspectAsync(policy, "dev", NullReporter.Instance, CancellationToken.None)).Single(c => c.Check == DeploymentRetirement);

    private static Task<ProvisionResult> UpAsync(LocalCloud cloud, FoundryPolicy policy, IEngineReporter? reporter = null) =>
        cloud.Provisioner.ProvisionAsync(policy, "dev", false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, reporter ?? NullReporter.Instance, CancellationToken.None);

    [Fact]
    public async Task The_retirement_check_is_Passed_before_Warning_inside_and_Failed_past_the_window_as_the_emulator_clock_moves()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var policy = PolicyWith(cloud.Subscription);
        cloud.Host.Cloud.SetCatalogueNow(Retirement.AddDays(-200).AddHours(1));
        await UpAsync(cloud, policy);

        var before = await RetirementCheckAsync(cloud, policy);
        Assert.Equal(CheckStatus.Passed, before.Status);
        Assert.Contains("retires on 2026-03-31 (199 days left)", before.Detail);

        cloud.Host.Cloud.SetCatalogueNow(Retirement.AddDays(-45).AddHours(1));
        var mark = cloud.Mark;
        var inside = await RetirementCheckAsync(cloud, policy);
        Assert.Equal(0, cloud.MutatingSince(mark));
        Assert.Equal(CheckStatus.Warning, inside.Status);
        Assert.Contains("retires on 2026-03-31 (44 days left)", inside.Detail);
        Assert.Contains("newer model version", inside.RecommendedAction);

        cloud.Host.Cloud.SetCatalogueNow(Retirement.AddDays(3).AddHours(1));
        var past = await RetirementCheckAsync(cloud, policy);
        Assert.Equal(CheckStatus.Failed, past.Status);
        Assert.Contains("retired on 2026-03-31 (3 days ago)", past.Detail);

        // Get-FoundryEnvironment's engine: the date and the days left per deployment.
        var read = await new EnvironmentReader(cloud.Services).ReadAsync(policy, "dev", CancellationToken.None);
        var shown = Assert.Single(read.DeploymentDetails!);
        Assert.Equal(("gpt-4o", "2024-08-06", "NoAutoUpgrade", Retirement, -3), (shown.Model, shown.Version, shown.VersionUpgradeOption, shown.RetiresOn!.Value, shown.DaysLeft!.Value));
    }

    [Fact]
    public async Task The_engines_own_clock_when_injected_overrides_the_servers()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        cloud.Host.Cloud.SetCatalogueNow(Retirement.AddDays(-200));
        var policy = PolicyWith(cloud.Subscription);
        var server = await cloud.Services.Lifecycle.JudgeAsync(cloud.Subscription, "eastus", policy.For("dev")!.Deployments, new RetirementPolicy(), CancellationToken.None);
        Assert.Equal(RetirementStanding.Clear, server.Single().Standing);

        var injected = new ModelLifecycle(cloud.Services.Arm, new FixedClock(Retirement.AddDays(-10)));
        var judged = (await injected.JudgeAsync(cloud.Subscription, "eastus", policy.For("dev")!.Deployments, new RetirementPolicy(), CancellationToken.None)).Single();
        Assert.Equal(RetirementStanding.Retiring, judged.Standing);
        Assert.Equal(10, judged.DaysLeft);
    }

    [Theory]
    [InlineData(5, "retired on 2026-03-31 (5 days ago)")]
    [InlineData(-20, "retires on 2026-03-31 (19 days left)")]
    public async Task Up_refuses_a_retired_or_retiring_version_before_any_write(int daysAfterRetirement, string detail)
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        cloud.Host.Cloud.SetCatalogueNow(Retirement.AddDays(daysAfterRetirement).AddHours(1));
        var mark = cloud.Mark;
        var error = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, PolicyWith(cloud.Subscription)));
        Assert.Equal(EngineErrorIds.ModelVersionRetiring, error.ErrorId);
        Assert.Contains(detail, error.Message);
        Assert.Equal(0, cloud.MutatingSince(mark));
    }

    [Fact]
    public async Task Up_warns_inside_the_warning_window_and_goes_on()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        cloud.Host.Cloud.SetCatalogueNow(Retirement.AddDays(-60).AddHours(1));
        var warnings = new WarningRecorder();
        var up = await UpAsync(cloud, PolicyWith(cloud.Subscription), warnings);
        Assert.Contains("gpt-4o", up.Environment.Deployments);
        Assert.Contains(warnings.Messages, m => m.Contains("Deployment 'gpt-4o': gpt-4o 2024-08-06 retires on 2026-03-31 (59 days left)"));
    }

    [Fact]
    public async Task Up_of_an_existing_environment_goes_on_with_a_warning_when_the_operator_may_not_read_the_models_list()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var policy = PolicyWith(cloud.Subscription);
        await UpAsync(cloud, policy);
        // Roles that stop at the resource group: the subscription-scope models list answers 403.
        cloud.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule { Method = "GET", PathPattern = "/locations/eastus/models", Status = 403, Code = "AuthorizationFailed" });
        var warnings = new WarningRecorder();
        await UpAsync(cloud, PolicyWith(cloud.Subscription, capacity: 20), warnings);
        Assert.Contains(warnings.Messages, m => m.StartsWith("Model retirement dates not checked:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_policys_versionUpgradeOption_is_sent_on_create_survives_an_update_and_drift_from_it_is_found_and_repaired()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        const string upgrade = ", \"versionUpgradeOption\": \"OnceCurrentVersionExpired\"";
        var up = await UpAsync(cloud, PolicyWith(cloud.Subscription, upgrade: upgrade));
        var deployment = $"{up.Environment.AccountId}/deployments/gpt-4o?{Api}";
        using var http = cloud.Http();
        Assert.Equal("OnceCurrentVersionExpired", JsonNode.Parse(await http.GetStringAsync(deployment))!["properties"]!["versionUpgradeOption"]!.GetValue<string>());

        // A capacity change is an update (a PUT of the whole definition): the option stays.
        var bigger = PolicyWith(cloud.Subscription, capacity: 20, upgrade: upgrade);
        await UpAsync(cloud, bigger);
        var updated = JsonNode.Parse(await http.GetStringAsync(deployment))!;
        Assert.Equal(20, updated["sku"]!["capacity"]!.GetValue<int>());
        Assert.Equal("OnceCurrentVersionExpired", updated["properties"]!["versionUpgradeOption"]!.GetValue<string>());

        // Someone turns on auto-upgrade by hand (a PUT without the option gets Azure's default, OnceNewDefaultVersionAvailable).
        var byHand = await http.PutAsync(deployment, LocalCloud.Json("""
            {"sku":{"name":"GlobalStandard","capacity":20},"properties":{"model":{"format":"OpenAI","name":"gpt-4o","version":"2024-08-06"}}}
            """));
        Assert.True(byHand.IsSuccessStatusCode, await byHand.Content.ReadAsStringAsync());
        var drift = (await cloud.Inspector.InspectAsync(bigger, "dev", NullReporter.Instance, CancellationToken.None)).Single(c => c.Check == Deployment);
        Assert.Equal(CheckStatus.Failed, drift.Status);
        Assert.Contains("versionUpgradeOption OnceNewDefaultVersionAvailable → OnceCurrentVersionExpired", drift.Detail);
        await UpAsync(cloud, bigger);
        Assert.Equal("OnceCurrentVersionExpired", JsonNode.Parse(await http.GetStringAsync(deployment))!["properties"]!["versionUpgradeOption"]!.GetValue<string>());
    }

    [Fact]
    public void The_policy_refuses_an_unknown_upgrade_option_and_a_warning_window_shorter_than_the_refusal_window()
    {
        var error = Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse("""
            { "app": "contoso", "defaults": { "subscriptionId": "00000000-0000-4000-8000-000000000001", "location": "eastus",
              "deployments": [ { "model": "gpt-4o", "version": "2024-08-06", "capacity": 1, "versionUpgradeOption": "Always" } ],
              "keyVault": { "create": true }, "retirement": { "refuseWithinDays": 60, "warnWithinDays": 30 } },
              "environments": { "dev": {} } }
            """));
        Assert.Contains("versionUpgradeOption: 'Always' must be one of NoAutoUpgrade, OnceNewDefaultVersionAvailable, OnceCurrentVersionExpired", error.Message);
        Assert.Contains("retirement.warnWithinDays: 30 is less than refuseWithinDays 60", error.Message);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
