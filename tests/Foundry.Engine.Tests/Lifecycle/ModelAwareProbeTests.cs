using Foundry.Engine.Environments;
using Foundry.Engine.OpenAI;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// Test-FoundryEnvironment's data-plane check sends each deployment a request its model accepts: max_completion_tokens
/// to reasoning models (Azure refuses max_tokens there with 400 unsupported_parameter), an embeddings request to an
/// embeddings model (which refuses chat with 400 OperationNotSupported), and nothing to other kinds (Skipped, with why).
/// </summary>
public sealed class ModelAwareProbeTests
{
    [Fact]
    public async Task Reasoning_and_embedding_deployments_pass_and_an_image_model_is_skipped_with_the_reason()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var policy = PolicyReader.Parse(PolicyJson(cloud.Subscription));
        await cloud.CreateAppAsync("func-contoso-dev");
        await cloud.Provisioner.ProvisionAsync(policy, "dev", false, "run-up", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        var checks = await cloud.Inspector.InspectAsync(policy, "dev", NullReporter.Instance, CancellationToken.None);

        var probes = checks.Where(c => c.Check == EnvironmentCheckNames.ChatCompletion).ToDictionary(c => c.Name, c => c);
        Assert.True(probes["gpt-4o"].Status == CheckStatus.Passed, probes["gpt-4o"].Detail);
        Assert.True(probes["o4-mini"].Status == CheckStatus.Passed, probes["o4-mini"].Detail);
        Assert.Contains("max_completion_tokens", probes["o4-mini"].Detail);
        Assert.True(probes["gpt-5-mini"].Status == CheckStatus.Passed, probes["gpt-5-mini"].Detail);
        Assert.True(probes["embeddings"].Status == CheckStatus.Passed, probes["embeddings"].Detail);
        Assert.Contains("embeddings request", probes["embeddings"].Detail);
        Assert.Equal(CheckStatus.Skipped, probes["images"].Status);
        Assert.Contains("dall-e-3", probes["images"].Detail);
        // What each model was sent, as the emulator logged it: nothing went to the image model.
        var paths = cloud.Host.Cloud.Log.All.Select(r => r.PathAndQuery).ToList();
        Assert.Contains(paths, p => p.Contains("/deployments/embeddings/embeddings?", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.Contains("/deployments/embeddings/chat/completions", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.Contains("/deployments/images/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gpt-4o", ModelKind.Chat)]
    [InlineData("gpt-35-turbo", ModelKind.Chat)]
    [InlineData("gpt-4.1-mini", ModelKind.Chat)]
    [InlineData("o1", ModelKind.Reasoning)]
    [InlineData("o3-mini", ModelKind.Reasoning)]
    [InlineData("o4-mini", ModelKind.Reasoning)]
    [InlineData("gpt-5", ModelKind.Reasoning)]
    [InlineData("gpt-5-nano", ModelKind.Reasoning)]
    [InlineData("text-embedding-3-large", ModelKind.Embedding)]
    [InlineData("text-embedding-ada-002", ModelKind.Embedding)]
    [InlineData("dall-e-3", ModelKind.Other)]
    [InlineData("whisper", ModelKind.Other)]
    [InlineData("gpt-4o-realtime-preview", ModelKind.Other)]
    [InlineData("Phi-4", ModelKind.Other)]
    public void Models_are_classified_by_how_Azure_OpenAI_calls_them(string model, ModelKind expected) => Assert.Equal(expected, ModelKinds.Of(model));

    private static string PolicyJson(string subscription) => $$"""
        {
          "app": "contoso",
          "defaults": {
            "subscriptionId": "{{subscription}}",
            "location": "eastus",
            "deployments": [
              { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 10 },
              { "name": "o4-mini", "model": "o4-mini", "version": "2025-04-16", "sku": "GlobalStandard", "capacity": 10 },
              { "name": "gpt-5-mini", "model": "gpt-5-mini", "version": "2025-08-07", "sku": "GlobalStandard", "capacity": 10 },
              { "name": "embeddings", "model": "text-embedding-3-small", "version": "1", "sku": "Standard", "capacity": 10 },
              { "name": "images", "model": "dall-e-3", "version": "3.0", "sku": "Standard", "capacity": 1 }
            ],
            "requiredTags": { "cost-center": "ai" },
            "keyVault": { "create": true },
            "rotation": { "refreshTimeoutSeconds": 5 }
          },
          "environments": {
            "dev": { "apps": [ { "name": "func-contoso-dev", "resourceGroup": "rg-apps" } ] }
          }
        }
        """;
}
