using Foundry.Engine.Environments;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>Which environment owns what: an app's settings (up and down) and the resource group (down).</summary>
public sealed class OwnershipTests
{
    private const string SharedSite = "func-contoso-shared";

    /// <summary>dev and staging both wire one app, as the example policy once did; <paramref name="shared"/> says whether that is meant.</summary>
    private static FoundryPolicy BothWire(LocalCloud cloud, bool shared) => PolicyReader.Parse($$"""
        {
          "app": "contoso",
          "defaults": {
            "subscriptionId": "{{cloud.Subscription}}",
            "location": "eastus",
            "deployments": [ { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 10 } ],
            "keyVault": { "create": true },
            "apps": [ { "name": "{{SharedSite}}", "resourceGroup": "rg-apps"{{(shared ? ", \"shared\": true" : "")}} } ],
            "rotation": { "refreshTimeoutSeconds": 5 }
          },
          "environments": { "dev": {}, "staging": {} }
        }
        """);

    private static Task<ProvisionResult> UpAsync(LocalCloud cloud, FoundryPolicy policy, string environment, IEngineReporter? reporter = null, bool whatIf = false) =>
        cloud.Provisioner.ProvisionAsync(policy, environment, whatIf, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, reporter ?? NullReporter.Instance, CancellationToken.None);

    private static Task<Foundry.Engine.Cleanup.CleanupReport> DownAsync(LocalCloud cloud, FoundryPolicy policy, string environment, IEngineReporter? reporter = null, bool whatIf = false) =>
        cloud.Remover.RemoveAsync(policy, environment, whatIf, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, reporter ?? NullReporter.Instance, CancellationToken.None);

    private static Dictionary<string, string> SiteTags(LocalCloud cloud, string site)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            var resource = cloud.Host.Cloud.State.Resources.Values.Single(r => r.Type == "Microsoft.Web/sites" && r.Name == site);
            return new Dictionary<string, string>(resource.Tags ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Up_refuses_before_any_write_an_app_another_environment_wired_and_down_of_that_environment_frees_it()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(SharedSite);
        var policy = BothWire(cloud, shared: false);
        await UpAsync(cloud, policy, "dev");
        Assert.Equal("dev", SiteTags(cloud, SharedSite)["foundry-env-AZURE_OPENAI_API_KEY"]);
        var devSettings = cloud.AppSettings(SharedSite);

        var mark = cloud.Mark;
        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, policy, "staging"));

        Assert.Equal("AppOwnedByOtherEnvironment", refused.ErrorId);
        Assert.Equal(FailureKind.Conflict, refused.Kind);
        Assert.Contains("'dev'", refused.Message);
        Assert.Contains("\"shared\": true", refused.RecommendedAction);
        Assert.Equal(0, cloud.MutatingSince(mark));
        Assert.Equal(0, cloud.CountResources(r => r.Name == "rg-contoso-staging"));
        Assert.Equal(devSettings, cloud.AppSettings(SharedSite));
        // -WhatIf says the same before planning anything.
        Assert.Equal("AppOwnedByOtherEnvironment", (await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, policy, "staging", whatIf: true))).ErrorId);

        var down = await DownAsync(cloud, policy, "dev");
        Assert.Equal("Verified", down.Status);
        Assert.DoesNotContain(SiteTags(cloud, SharedSite).Keys, k => k.StartsWith("foundry-env-", StringComparison.OrdinalIgnoreCase));
        var staging = await UpAsync(cloud, policy, "staging");
        Assert.Equal("Resolved", staging.Environment.Apps.Single().ReferenceStatus);
        Assert.Equal("staging", SiteTags(cloud, SharedSite)["foundry-env-AZURE_OPENAI_DEPLOYMENT"]);
    }

    [Fact]
    public async Task Up_refuses_an_app_an_older_Foundry_wired_to_another_environment_from_the_reference_itself()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(SharedSite);
        var policy = BothWire(cloud, shared: false);
        var dev = await UpAsync(cloud, policy, "dev");
        StripOwnershipTags(cloud);

        var mark = cloud.Mark;
        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, policy, "staging"));

        Assert.Equal("AppOwnedByOtherEnvironment", refused.ErrorId);
        Assert.Contains(dev.Environment.KeyVaultName, refused.Message);
        Assert.Equal(0, cloud.MutatingSince(mark));
        // dev's own up is not refused: the reference is to its own vault, and it records the ownership now.
        await UpAsync(cloud, policy, "dev");
        Assert.Equal("dev", SiteTags(cloud, SharedSite)["foundry-env-AZURE_OPENAI_API_KEY"]);
    }

    /// <summary>As an older Foundry left an app: no ownership tags.</summary>
    private static void StripOwnershipTags(LocalCloud cloud)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            var site = cloud.Host.Cloud.State.Resources.Values.Single(r => r.Name == SharedSite);
            site.Tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task On_a_shared_app_the_later_environment_takes_the_settings_over_and_the_earlier_ones_down_leaves_them()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(SharedSite);
        var policy = BothWire(cloud, shared: true);
        await UpAsync(cloud, policy, "dev");
        var warnings = new WarningRecorder();
        var staging = await UpAsync(cloud, policy, "staging", warnings);
        Assert.Contains(warnings.Messages, w => w.Contains("AZURE_OPENAI_API_KEY", StringComparison.Ordinal) && w.Contains("'dev'", StringComparison.Ordinal));
        var stagingSettings = cloud.AppSettings(SharedSite);

        var down = await DownAsync(cloud, policy, "dev");

        Assert.Equal("Verified", down.Status);
        // Every setting staging wrote is still there, the deployment name ("gpt-4o", the same in dev) included.
        Assert.Equal(stagingSettings, cloud.AppSettings(SharedSite));
        Assert.DoesNotContain(down.Deletions, d => d.ResourceType is "Microsoft.Web/sites/config" or "Microsoft.Resources/tags");
        var tags = SiteTags(cloud, SharedSite);
        foreach (var setting in new[] { "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT" }) Assert.Equal("staging", tags[$"foundry-env-{setting}"]);
        var read = await cloud.Reader.ReadAsync(policy, "staging", CancellationToken.None);
        Assert.Equal("Resolved", read.Apps.Single().ReferenceStatus);
        Assert.Equal(staging.Environment.SecretVersion, read.Apps.Single().ResolvedSecretVersion);

        // staging's own down then removes them, and only them.
        await DownAsync(cloud, policy, "staging");
        Assert.Equal(new[] { "UNRELATED_SETTING" }, cloud.AppSettings(SharedSite).Keys);
    }

    [Fact]
    public async Task Down_of_an_app_wired_before_ownership_tags_leaves_a_deployment_setting_another_environment_wrote()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(SharedSite);
        var policy = BothWire(cloud, shared: true);
        await UpAsync(cloud, policy, "dev");
        await UpAsync(cloud, policy, "staging");
        StripOwnershipTags(cloud);
        var stagingSettings = cloud.AppSettings(SharedSite);

        await DownAsync(cloud, policy, "dev");

        Assert.Equal(stagingSettings, cloud.AppSettings(SharedSite));
    }

    [Fact]
    public async Task Down_keeps_the_environments_group_when_it_holds_a_resource_Foundry_did_not_make_and_the_plan_says_so()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        await cloud.UpAsync("pr-41");
        using (var http = cloud.Http())
        {
            var put = await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourceGroups/rg-contoso-pr-41/providers/Microsoft.Storage/storageAccounts/stteamdata?api-version=2023-05-01",
                LocalCloud.Json("{\"location\":\"eastus\",\"tags\":{\"owner\":\"data-team\"},\"properties\":{}}"));
            Assert.True(put.IsSuccessStatusCode);
        }

        var plan = await DownAsync(cloud, cloud.Policy, "pr-41", whatIf: true);
        Assert.DoesNotContain(plan.Deletions, d => d.ResourceType == "Microsoft.Resources/resourceGroups" && d.Status == "planned");
        Assert.Contains("stteamdata", Assert.Single(plan.Kept).Error);

        var warnings = new WarningRecorder();
        var report = await DownAsync(cloud, cloud.Policy, "pr-41", warnings);

        Assert.Equal("Verified", report.Status);
        var kept = Assert.Single(report.Kept);
        Assert.EndsWith("/resourceGroups/rg-contoso-pr-41", kept.ResourceId, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("stteamdata", kept.Error);
        Assert.Contains(warnings.Messages, w => w.Contains("rg-contoso-pr-41", StringComparison.Ordinal));
        Assert.Equal(1, cloud.CountResources(r => r.Name == "stteamdata"));
        Assert.Equal(1, cloud.CountResources(r => r.Name == "rg-contoso-pr-41"));
        Assert.Contains(report.Deletions, d => d.ResourceType == "Microsoft.CognitiveServices/accounts" && d.Status == "deleted");
    }
}
