using Foundry.Engine.Environments;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// An AIServices account deploys Foundry (non-OpenAI) models under the model's own format from the models list
/// (Microsoft, DeepSeek …): Azure refuses a deployment whose format is not the model's (DeploymentModelNotSupported).
/// The smoke test does not send them Azure OpenAI requests: they are Skipped with the format named.
/// </summary>
public sealed class FoundryModelFormatTests
{
    [Fact]
    public async Task An_AIServices_account_deploys_Foundry_models_with_their_format_and_the_probe_skips_them_with_the_reason()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var policy = PolicyReader.Parse($$"""
            {
              "app": "contoso",
              "defaults": {
                "subscriptionId": "{{cloud.Subscription}}",
                "location": "eastus",
                "accountKind": "AIServices",
                "deployments": [
                  { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 10 },
                  { "name": "phi", "model": "Phi-4-mini-instruct", "version": "1", "sku": "GlobalStandard", "capacity": 1 },
                  { "name": "deepseek", "model": "DeepSeek-R1", "version": "1", "sku": "GlobalStandard", "capacity": 1 }
                ],
                "keyVault": { "create": true },
                "rotation": { "refreshTimeoutSeconds": 5 }
              },
              "environments": { "dev": { "apps": [ { "name": "func-contoso-dev", "resourceGroup": "rg-apps" } ] } }
            }
            """);
        await cloud.CreateAppAsync("func-contoso-dev");

        var up = await cloud.Provisioner.ProvisionAsync(policy, "dev", false, "run-up", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        string FormatOf(string deployment)
        {
            lock (cloud.Host.Cloud.Sync) return cloud.Host.Cloud.State.Find($"{up.Environment.AccountId}/deployments/{deployment}")!.Properties["model"]!["format"]!.GetValue<string>();
        }
        Assert.Equal("OpenAI", FormatOf("gpt-4o"));
        Assert.Equal("Microsoft", FormatOf("phi"));
        Assert.Equal("DeepSeek", FormatOf("deepseek"));

        var checks = await cloud.Inspector.InspectAsync(policy, "dev", NullReporter.Instance, CancellationToken.None);
        var probes = checks.Where(c => c.Check == EnvironmentCheckNames.ChatCompletion).ToDictionary(c => c.Name, c => c);
        Assert.True(probes["gpt-4o"].Status == CheckStatus.Passed, probes["gpt-4o"].Detail);
        Assert.Equal(CheckStatus.Skipped, probes["phi"].Status);
        Assert.Contains("format 'Microsoft'", probes["phi"].Detail);
        Assert.Equal(CheckStatus.Skipped, probes["deepseek"].Status);
        Assert.Contains("format 'DeepSeek'", probes["deepseek"].Detail);
        Assert.DoesNotContain(cloud.Host.Cloud.Log.All, r => r.PathAndQuery.Contains("/deployments/deepseek/chat", StringComparison.Ordinal));
    }
}
