using Foundry.Engine.Environments;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// Quota pre-flight reads the usage each model SKU names in the models list (skus[].usageName), reads every page of
/// the models and usages lists (nextLink), and sums provisioned deployments against their type's shared pool. Run as
/// -WhatIf: the placement (a read-only pre-flight) is what is under test, and the plan says where the account goes.
/// </summary>
public sealed class QuotaPreflightTests
{
    private static void Limit(LocalCloud cloud, string location, string usage, int limit)
    {
        lock (cloud.Host.Cloud.Sync) cloud.Host.Cloud.State.QuotaLimits[$"{cloud.Subscription}/{location}/{usage}".ToLowerInvariant()] = limit;
    }

    private static async Task<string> PlacedInAsync(LocalCloud cloud, string deployments)
    {
        var policy = PolicyReader.Parse($$"""
            {
              "app": "contoso",
              "defaults": {
                "subscriptionId": "{{cloud.Subscription}}",
                "location": "eastus",
                "fallbackLocations": ["swedencentral"],
                "deployments": [ {{deployments}} ],
                "keyVault": { "create": true }
              },
              "environments": { "dev": { } }
            }
            """);
        var plan = await cloud.Provisioner.ProvisionAsync(policy, "dev", true, "run-whatif", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        var create = Assert.Single(plan.Changes, c => c.ResourceType == "Microsoft.CognitiveServices/accounts");
        return create.Reason;
    }

    [Fact]
    public async Task A_sku_whose_usage_name_is_not_the_guessed_one_is_checked_against_its_own_usage()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        // gpt-4o Standard draws from "OpenAI.Standard.GPT4o" (the models list says so), not "OpenAI.Standard.gpt-4o".
        Limit(cloud, "eastus", "OpenAI.Standard.GPT4o", 5);

        var placed = await PlacedInAsync(cloud, """{ "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "Standard", "capacity": 10 }""");

        Assert.Equal("missing; placed in swedencentral", placed);
    }

    [Fact]
    public async Task Usages_and_models_on_a_later_page_are_read()
    {
        // Ten per page, as the realistic profile answers (the fast one's 50 would hold the whole catalogue).
        await using var scope = await LocalCloudScope.StartAsync(new Foundry.Emulator.EmulatorOptions { CatalogPageSize = 10 });
        var cloud = scope.Value;
        // o4-mini's usage comes after the first page of eastus's usages; gpt-5-mini after the first page of its models.
        Limit(cloud, "eastus", "OpenAI.GlobalStandard.o4-mini", 5);

        var placed = await PlacedInAsync(cloud, """
            { "name": "o4-mini", "model": "o4-mini", "version": "2025-04-16", "sku": "GlobalStandard", "capacity": 10 },
            { "name": "gpt-5-mini", "model": "gpt-5-mini", "version": "2025-08-07", "sku": "GlobalStandard", "capacity": 10 }
            """);

        Assert.Equal("missing; placed in swedencentral", placed);
        var usagePages = cloud.Host.Cloud.Log.All.Count(r => r.PathAndQuery.Contains("/locations/eastus/usages", StringComparison.OrdinalIgnoreCase));
        Assert.True(usagePages >= 2, $"read {usagePages} page(s) of eastus's usages");
    }

    [Fact]
    public async Task Provisioned_deployments_of_different_models_are_summed_against_their_shared_pool()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        // Each alone fits 20 PTUs; together (one OpenAI.GlobalProvisionedManaged pool for every model) they do not.
        Limit(cloud, "eastus", "OpenAI.GlobalProvisionedManaged", 20);

        var placed = await PlacedInAsync(cloud, """
            { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalProvisionedManaged", "capacity": 15 },
            { "name": "gpt-41", "model": "gpt-4.1", "version": "2025-04-14", "sku": "GlobalProvisionedManaged", "capacity": 15 }
            """);

        Assert.Equal("missing; placed in swedencentral", placed);
    }
}
