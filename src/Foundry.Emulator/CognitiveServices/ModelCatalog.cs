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

    /// <summary>
    /// Azure's published lifecycle per model version: lifecycle status, deprecation (no new customers) and retirement
    /// (deployments stop serving) dates, from the "Current models" table of "Azure OpenAI model deprecations and
    /// retirements" (learn.microsoft.com/azure/ai-foundry/openai/concepts/model-retirements; the table's include
    /// articles/ai-foundry/openai/includes/retirement/models.md in MicrosoftDocs/azure-ai-docs, ms.date 12/16/2025).
    /// "No earlier than" dates are taken as the date. The models list serves the retirement as deprecation.inference.
    /// </summary>
    private static readonly Dictionary<(string Model, string Version), (string Status, DateTimeOffset? Deprecation, DateTimeOffset Retirement)> Lifecycle = new()
    {
        [("gpt-4o", "2024-08-06")] = ("GenerallyAvailable", Day("2025-08-06"), Day("2026-03-31")),
        [("gpt-4o", "2024-11-20")] = ("GenerallyAvailable", Day("2025-11-20"), Day("2026-06-05")),
        [("gpt-4o-mini", "2024-07-18")] = ("GenerallyAvailable", Day("2025-07-18"), Day("2026-03-31")),
        [("gpt-4.1", "2025-04-14")] = ("GenerallyAvailable", Day("2026-04-14"), Day("2026-10-14")),
        [("o4-mini", "2025-04-16")] = ("GenerallyAvailable", Day("2026-04-16"), Day("2026-10-16")),
        [("gpt-5-mini", "2025-08-07")] = ("GenerallyAvailable", Day("2026-08-07"), Day("2027-02-06")),
        [("dall-e-3", "3.0")] = ("GenerallyAvailable", null, Day("2026-02-18")),
        [("text-embedding-3-small", "1")] = ("GenerallyAvailable", null, Day("2026-10-30")),
        [("text-embedding-3-large", "1")] = ("GenerallyAvailable", null, Day("2026-10-30")),
    };

    /// <summary>The date of the retirement table the catalogue copies: the model-catalogue clock starts there (see LocalCloud.CatalogueNow).</summary>
    public static readonly DateTimeOffset TableDate = Day("2025-12-16");

    private static DateTimeOffset Day(string date) => DateTimeOffset.Parse(date + "T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A version's retirement date (deprecation.inference), or null when none is published.</summary>
    public static DateTimeOffset? RetiresOn(string model, string version) => Lifecycle.TryGetValue((model, version), out var l) ? l.Retirement : null;

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

    /// <summary>
    /// The models list of a region (ModelListResult shape) as of <paramref name="now"/> (the model-catalogue clock):
    /// each version's deprecation.inference is its retirement date, and its lifecycleStatus turns Deprecating after the
    /// deprecation date and Deprecated after retirement (statuses of the 2025-09-01 ListLocationModels example).
    /// </summary>
    public static JsonArray Models(string location, DateTimeOffset now) => new(OffersIn(location).GroupBy(o => (o.Model, o.Version)).Select(g => (JsonNode)new JsonObject
    {
        ["kind"] = "OpenAI",
        ["skuName"] = "S0",
        ["model"] = new JsonObject
        {
            ["format"] = "OpenAI",
            ["name"] = g.Key.Model,
            ["version"] = g.Key.Version,
            ["lifecycleStatus"] = Lifecycle.TryGetValue(g.Key, out var life)
                ? now >= life.Retirement ? "Deprecated" : life.Deprecation is { } deprecated && now >= deprecated ? "Deprecating" : life.Status
                : "GenerallyAvailable",
            ["deprecation"] = Lifecycle.TryGetValue(g.Key, out var dates)
                ? new JsonObject { ["inference"] = dates.Retirement.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), ["deprecationStatus"] = "Planned" }
                : null,
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
