using System.Text.Json.Nodes;
using Foundry.Emulator.Arm;
using Foundry.Emulator.State;

namespace Foundry.Emulator.CognitiveServices;

/// <summary>
/// Which models, versions and deployment SKUs each region offers, with the quota (usage) each SKU draws from, and the
/// per-region quota in thousands of tokens per minute (PTUs for provisioned SKUs). Some regions lack some offers on
/// purpose, so "not available in region" and fallback can be exercised: francecentral and japaneast have no gpt-4.1.
/// As in Azure's models list (Models_List example ListLocationModels.json, 2025-09-01), each SKU names its own
/// usageName, which is not always "OpenAI.{sku}.{model}": gpt-4o Standard draws from "OpenAI.Standard.GPT4o", the
/// provisioned SKUs share one pool per deployment type ("OpenAI.ProvisionedManaged", "OpenAI.GlobalProvisionedManaged",
/// "OpenAI.DataZoneProvisionedManaged") across models, and Foundry (non-OpenAI) models on AIServices accounts draw from
/// "AIServices.{sku}.…" usages (Llama: "AIServices.GlobalStandard.MaaS" in the example).
/// </summary>
public static class ModelCatalog
{
    /// <summary>Default quota limit per subscription × region × usage, overridable per test.</summary>
    public const int DefaultLimit = 1000;

    private static readonly string[] Provisioned = { "ProvisionedManaged", "GlobalProvisionedManaged", "DataZoneProvisionedManaged" };

    /// <summary>One offer: a model version on a SKU, its format (publisher) and the usage its capacity counts against.</summary>
    public sealed record Offer(string Model, string Version, string Sku, string[]? Regions, string Format = "OpenAI", string? Usage = null)
    {
        /// <summary>The usage (quota) name this SKU of the model draws from.</summary>
        public string UsageName => Usage ?? (Provisioned.Contains(Sku, StringComparer.OrdinalIgnoreCase) ? $"OpenAI.{Sku}"
            : Format == "OpenAI" ? $"OpenAI.{Sku}.{Model}" : $"AIServices.{Sku}.{Model}");

        /// <summary>Non-OpenAI (Foundry) models are offered to AIServices accounts only.</summary>
        public bool OfferedTo(string kind) => Format == "OpenAI" || kind.Equals("AIServices", StringComparison.OrdinalIgnoreCase);
    }

    private static readonly string[] ProvisionedRegions = { "eastus", "eastus2", "swedencentral", "westus3" };

    private static readonly Offer[] Offers =
    {
        new("gpt-4o", "2024-08-06", "GlobalStandard", null),
        new("gpt-4o", "2024-08-06", "Standard", new[] { "eastus", "eastus2", "swedencentral", "westus3" }, Usage: "OpenAI.Standard.GPT4o"),
        new("gpt-4o", "2024-08-06", "DataZoneStandard", new[] { "eastus", "eastus2", "westus", "westus3", "swedencentral", "francecentral", "westeurope", "northeurope" }),
        new("gpt-4o", "2024-08-06", "ProvisionedManaged", ProvisionedRegions),
        new("gpt-4o", "2024-08-06", "GlobalProvisionedManaged", null),
        new("gpt-4o", "2024-08-06", "DataZoneProvisionedManaged", ProvisionedRegions),
        new("gpt-4o", "2024-11-20", "GlobalStandard", null),
        new("gpt-4o-mini", "2024-07-18", "GlobalStandard", null),
        new("gpt-4o-mini", "2024-07-18", "Standard", new[] { "eastus", "swedencentral" }),
        new("gpt-4.1", "2025-04-14", "GlobalStandard", new[] { "eastus", "eastus2", "westus", "westus3", "swedencentral", "westeurope", "northeurope", "uksouth", "australiaeast", "canadaeast" }),
        new("gpt-4.1", "2025-04-14", "GlobalProvisionedManaged", new[] { "eastus", "eastus2", "westus", "westus3", "swedencentral", "westeurope", "northeurope", "uksouth", "australiaeast", "canadaeast" }),
        new("o4-mini", "2025-04-16", "GlobalStandard", null),
        new("gpt-5-mini", "2025-08-07", "GlobalStandard", null),
        new("dall-e-3", "3.0", "Standard", new[] { "eastus", "swedencentral", "australiaeast" }),
        new("text-embedding-3-small", "1", "Standard", null),
        new("text-embedding-3-small", "1", "GlobalStandard", null),
        new("text-embedding-3-large", "1", "Standard", null),
        new("text-embedding-3-large", "1", "GlobalStandard", null),
        // Foundry models sold directly by Azure, deployable on AIServices accounts only, each with its publisher's
        // format as deployments must name it (Bicep/ARM samples: format 'Microsoft' for Phi-4-mini-instruct, 'DeepSeek'
        // for DeepSeek-R1, 'Mistral AI' for Mistral-Large-3; 'Meta' and the MaaS usage from the models-list example).
        new("Phi-4-mini-instruct", "1", "GlobalStandard", null, "Microsoft"),
        new("DeepSeek-R1", "1", "GlobalStandard", null, "DeepSeek"),
        new("Mistral-Large-3", "1", "GlobalStandard", new[] { "eastus", "eastus2", "westus3", "swedencentral", "francecentral" }, "Mistral AI"),
        new("Llama-3.2-90B-Vision-Instruct", "2", "GlobalStandard", null, "Meta", "AIServices.GlobalStandard.MaaS"),
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

    /// <summary>The offer of (model, version, SKU) in the region, or null.</summary>
    public static Offer? Find(string location, string model, string version, string sku) =>
        OffersIn(location).FirstOrDefault(o => o.Model.Equals(model, StringComparison.OrdinalIgnoreCase) && o.Version == version && o.Sku.Equals(sku, StringComparison.OrdinalIgnoreCase));

    public static bool IsOffered(string location, string model, string version, string sku) => Find(location, model, version, sku) is not null;

    public static IEnumerable<Offer> OffersIn(string location) =>
        Offers.Where(o => o.Regions is null || o.Regions.Contains(location, StringComparer.OrdinalIgnoreCase));

    /// <summary>The usage a (SKU, model) draws from in the region (whatever the version).</summary>
    public static string UsageName(string sku, string model) =>
        Offers.FirstOrDefault(o => o.Model.Equals(model, StringComparison.OrdinalIgnoreCase) && o.Sku.Equals(sku, StringComparison.OrdinalIgnoreCase))?.UsageName ?? $"OpenAI.{sku}.{model}";

    public static string UsageLabel(string usageName) =>
        usageName.Split(new[] { '.' }, 3) is { Length: 3 } parts ? $"Tokens Per Minute (thousands) - {parts[2]} - {parts[1]}" : $"Provisioned Managed Throughput Unit - {usageName.Split('.').Last()}";

    public static int Limit(EmulatorState state, string subscriptionId, string location, string usageName) =>
        state.QuotaLimits.TryGetValue(QuotaKey(subscriptionId, location, usageName), out var limit) ? limit : DefaultLimit;

    public static string QuotaKey(string subscriptionId, string location, string usageName) => $"{subscriptionId}/{location}/{usageName}".ToLowerInvariant();

    /// <summary>Capacity counted against a usage in a region: live deployments plus those of soft-deleted accounts.</summary>
    public static int Used(EmulatorState state, string subscriptionId, string location, string usageName, string? exceptDeploymentId = null)
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
            .Where(d => d.Sku?["name"]?.GetValue<string>() is { } sku && d.Properties["model"]?["name"]?.GetValue<string>() is { } model &&
                        UsageName(sku, model).Equals(usageName, StringComparison.OrdinalIgnoreCase))
            .Sum(d => d.Sku?["capacity"]?.GetValue<int>() ?? 0);
    }

    /// <summary>
    /// A model's deprecation object. `deprecationStatus` exists from api-version 2025-09-01 (its ListLocationModels
    /// example); older versions' schemas do not allow it, and the REST-spec validator refuses it there.
    /// </summary>
    private static JsonObject Deprecation(DateTimeOffset retirement, string? apiVersion)
    {
        var deprecation = new JsonObject { ["inference"] = retirement.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) };
        if (string.CompareOrdinal(apiVersion ?? "", "2025-09-01") >= 0) deprecation["deprecationStatus"] = "Planned";
        return deprecation;
    }

    /// <summary>
    /// The models list of a region (ModelListResult shape) as of <paramref name="now"/> (the model-catalogue clock): an
    /// OpenAI model once per account kind that offers it (kind OpenAI and kind AIServices, as the example lists dall-e-3
    /// under AIServices), a Foundry model under AIServices only. Each version's deprecation.inference is its retirement
    /// date, and its lifecycleStatus turns Deprecating after the deprecation date and Deprecated after retirement
    /// (statuses of the 2025-09-01 ListLocationModels example).
    /// </summary>
    public static IEnumerable<JsonNode> Models(string location, DateTimeOffset now, string? kind = null, string? apiVersion = null) =>
        from g in OffersIn(location).GroupBy(o => (o.Model, o.Version, o.Format))
        from accountKind in new[] { "OpenAI", "AIServices" }
        where (kind is null || kind.Equals(accountKind, StringComparison.OrdinalIgnoreCase)) && g.First().OfferedTo(accountKind)
        let life = Lifecycle.TryGetValue((g.Key.Model, g.Key.Version), out var l) ? l : ((string Status, DateTimeOffset? Deprecation, DateTimeOffset Retirement)?)null
        select (JsonNode)new JsonObject
        {
            ["kind"] = accountKind,
            ["skuName"] = "S0",
            ["model"] = new JsonObject
            {
                ["format"] = g.Key.Format,
                ["name"] = g.Key.Model,
                ["version"] = g.Key.Version,
                ["lifecycleStatus"] = life is { } dates
                    ? now >= dates.Retirement ? "Deprecated" : dates.Deprecation is { } deprecated && now >= deprecated ? "Deprecating" : dates.Status
                    : "GenerallyAvailable",
                ["deprecation"] = life is { } retiring
                    ? Deprecation(retiring.Retirement, apiVersion)
                    : null,
                ["capabilities"] = new JsonObject { [g.Key.Model.StartsWith("text-embedding", StringComparison.Ordinal) ? "embeddings" : g.Key.Model.StartsWith("dall-e", StringComparison.Ordinal) ? "imageGenerations" : "chatCompletion"] = "true" },
                ["skus"] = new JsonArray(g.Select(o => (JsonNode)new JsonObject
                {
                    ["name"] = o.Sku,
                    ["usageName"] = o.UsageName,
                    ["capacity"] = new JsonObject { ["minimum"] = 1, ["maximum"] = DefaultLimit, ["step"] = 1, ["default"] = 10 },
                }).ToArray()),
            },
        };

    /// <summary>The usages list of a region for a subscription (quota per usage name, plus the account count).</summary>
    public static IEnumerable<JsonNode> Usages(EmulatorState state, string subscriptionId, string location)
    {
        var accounts = state.Resources.Values.Count(r => r.Type == CognitiveServicesArea.AccountType && r.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase) &&
                                                          string.Equals(r.Location, location, StringComparison.OrdinalIgnoreCase));
        yield return Usage("AccountCount", "Cognitive Services total account limit", accounts, 200);
        foreach (var usage in OffersIn(location).Select(o => o.UsageName).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            yield return Usage(usage, UsageLabel(usage), Used(state, subscriptionId, location, usage), Limit(state, subscriptionId, location, usage));
        }
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
