using System.Text.Json.Nodes;
using Foundry.Emulator.Arm;
using Foundry.Emulator.State;

namespace Foundry.Emulator.CognitiveServices;

/// <summary>
/// Which models, versions and deployment SKUs each region offers, and the per-region quota per (SKU, model) in
/// thousands of tokens per minute. Some regions lack some offers on purpose, so "not available in region" and
/// fallback can be exercised: francecentral and japaneast have no gpt-4.1.
/// </summary>
public static class ModelCatalog
{
    /// <summary>Default quota limit per subscription × region × (SKU, model), overridable per test.</summary>
    public const int DefaultLimit = 1000;

    private static readonly (string Model, string Version, string Sku, string[]? Regions)[] Offers =
    {
        ("gpt-4o", "2024-08-06", "GlobalStandard", null),
        ("gpt-4o", "2024-08-06", "Standard", new[] { "eastus", "eastus2", "swedencentral", "westus3" }),
        ("gpt-4o", "2024-08-06", "DataZoneStandard", new[] { "eastus", "eastus2", "westus", "westus3", "swedencentral", "francecentral", "westeurope", "northeurope" }),
        ("gpt-4o", "2024-11-20", "GlobalStandard", null),
        ("gpt-4o-mini", "2024-07-18", "GlobalStandard", null),
        ("gpt-4o-mini", "2024-07-18", "Standard", new[] { "eastus", "swedencentral" }),
        ("gpt-4.1", "2025-04-14", "GlobalStandard", new[] { "eastus", "eastus2", "westus", "westus3", "swedencentral", "westeurope", "northeurope", "uksouth", "australiaeast", "canadaeast" }),
        ("o4-mini", "2025-04-16", "GlobalStandard", null),
        ("gpt-5-mini", "2025-08-07", "GlobalStandard", null),
        ("dall-e-3", "3.0", "Standard", new[] { "eastus", "swedencentral", "australiaeast" }),
        ("text-embedding-3-small", "1", "Standard", null),
        ("text-embedding-3-small", "1", "GlobalStandard", null),
        ("text-embedding-3-large", "1", "Standard", null),
        ("text-embedding-3-large", "1", "GlobalStandard", null),
    };

    public static bool IsOffered(string location, string model, string version, string sku) =>
        Offers.Any(o => o.Model.Equals(model, StringComparison.OrdinalIgnoreCase) && o.Version == version &&
                        o.Sku.Equals(sku, StringComparison.OrdinalIgnoreCase) && (o.Regions is null || o.Regions.Contains(location, StringComparer.OrdinalIgnoreCase)));

    public static IEnumerable<(string Model, string Version, string Sku)> OffersIn(string location) =>
        Offers.Where(o => o.Regions is null || o.Regions.Contains(location, StringComparer.OrdinalIgnoreCase)).Select(o => (o.Model, o.Version, o.Sku));

    public static string UsageName(string sku, string model) => $"OpenAI.{sku}.{model}";

    public static string UsageLabel(string sku, string model) => $"Tokens Per Minute (thousands) - {model} - {sku}";

    public static int Limit(EmulatorState state, string subscriptionId, string location, string sku, string model) =>
        state.QuotaLimits.TryGetValue(QuotaKey(subscriptionId, location, sku, model), out var limit) ? limit : DefaultLimit;

    public static string QuotaKey(string subscriptionId, string location, string sku, string model) =>
        $"{subscriptionId}/{location}/{UsageName(sku, model)}".ToLowerInvariant();

    /// <summary>Capacity in use for (SKU, model) in a region: live deployments plus those of soft-deleted accounts.</summary>
    public static int Used(EmulatorState state, string subscriptionId, string location, string sku, string model, string? exceptDeploymentId = null)
    {
        // Deployments carry no location of their own (the spec forbids one): their account's region counts.
        var live = state.Resources.Values.Where(r => r.Type == CognitiveServicesArea.DeploymentType && r.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
            .Select(d => (Deployment: d, Location: state.Find(Routing.ResourceIds.Parent(d.Id)!)?.Location));
        var deleted = state.DeletedAccounts.Values.Where(d => d.Account.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
            .SelectMany(d => d.Deployments.Select(deployment => (Deployment: deployment, d.Account.Location)));
        return live.Concat(deleted)
            .Where(d => string.Equals(d.Location, location, StringComparison.OrdinalIgnoreCase))
            .Select(d => d.Deployment)
            .Where(d => !d.Id.Equals(exceptDeploymentId, StringComparison.OrdinalIgnoreCase))
            .Where(d => string.Equals(d.Sku?["name"]?.GetValue<string>(), sku, StringComparison.OrdinalIgnoreCase) &&
                        string.Equals(d.Properties["model"]?["name"]?.GetValue<string>(), model, StringComparison.OrdinalIgnoreCase))
            .Sum(d => d.Sku?["capacity"]?.GetValue<int>() ?? 0);
    }

    /// <summary>The models list of a region (ModelListResult shape).</summary>
    public static JsonArray Models(string location) => new(OffersIn(location).GroupBy(o => (o.Model, o.Version)).Select(g => (JsonNode)new JsonObject
    {
        ["kind"] = "OpenAI",
        ["skuName"] = "S0",
        ["model"] = new JsonObject
        {
            ["format"] = "OpenAI",
            ["name"] = g.Key.Model,
            ["version"] = g.Key.Version,
            ["lifecycleStatus"] = "GenerallyAvailable",
            ["capabilities"] = new JsonObject { [g.Key.Model.StartsWith("text-embedding", StringComparison.Ordinal) ? "embeddings" : g.Key.Model.StartsWith("dall-e", StringComparison.Ordinal) ? "imageGenerations" : "chatCompletion"] = "true" },
            ["skus"] = new JsonArray(g.Select(o => (JsonNode)new JsonObject
            {
                ["name"] = o.Sku,
                ["usageName"] = UsageName(o.Sku, o.Model),
                ["capacity"] = new JsonObject { ["minimum"] = 1, ["maximum"] = DefaultLimit, ["step"] = 1, ["default"] = 10 },
            }).ToArray()),
        },
    }).ToArray());

    /// <summary>The usages list of a region for a subscription (quota per SKU and model, plus the account count).</summary>
    public static JsonArray Usages(EmulatorState state, string subscriptionId, string location)
    {
        var usages = new JsonArray();
        var accounts = state.Resources.Values.Count(r => r.Type == CognitiveServicesArea.AccountType && r.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase) &&
                                                          string.Equals(r.Location, location, StringComparison.OrdinalIgnoreCase));
        usages.Add(Usage("AccountCount", "Cognitive Services total account limit", accounts, 200));
        foreach (var (model, sku) in OffersIn(location).Select(o => (o.Model, o.Sku)).Distinct())
        {
            usages.Add(Usage(UsageName(sku, model), UsageLabel(sku, model), Used(state, subscriptionId, location, sku, model), Limit(state, subscriptionId, location, sku, model)));
        }
        return usages;
    }

    private static JsonObject Usage(string name, string label, int current, int limit) => new()
    {
        ["name"] = new JsonObject { ["value"] = name, ["localizedValue"] = label },
        ["currentValue"] = current,
        ["limit"] = limit,
        ["unit"] = "Count",
    };

    internal static bool IsKnownLocation(string location) => ProviderCatalog.Locations.Contains(location, StringComparer.OrdinalIgnoreCase);
}
