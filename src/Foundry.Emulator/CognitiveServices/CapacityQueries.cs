using System.Text.Json.Nodes;
using Foundry.Emulator.Arm;
using Foundry.Emulator.Control;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.CognitiveServices;

/// <summary>
/// The questions an operator asks before placing an account or a deployment: checkSkuAvailability (can this kind
/// have this SKU here?) and modelCapacities, for the subscription or one region (where is there room for this model
/// version, per deployment SKU?). Shapes as the REST spec's examples (CheckSkuAvailability, ListModelCapacities,
/// ListLocationBasedModelCapacities); capacities come from the region catalogue and the subscription's quota, less
/// what its deployments (live and soft-deleted) hold — the same numbers usages reports.
/// </summary>
internal static class CapacityQueries
{
    private const string Sub = "/subscriptions/(?<sub>[^/]+)";
    private const string SkuCapacityType = "Microsoft.CognitiveServices/locations/models/skuCapacities";

    /// <summary>The account SKUs the emulator serves for every kind.</summary>
    private static readonly string[] AccountSkus = { "S0" };

    public static void Register(RouteTable routes)
    {
        var reads = new RouteOptions { ApiVersionOf = CognitiveServicesArea.AccountType, ReadOnly = true };
        routes.Map(ServiceKind.Management, "POST", Sub + "/providers/Microsoft.CognitiveServices/locations/(?<loc>[^/]+)/checkSkuAvailability", CheckSkuAvailability, reads);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.CognitiveServices/modelCapacities", c => ModelCapacities(c, location: null), reads);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.CognitiveServices/locations/(?<loc>[^/]+)/modelCapacities", c => ModelCapacities(c, c["loc"]), reads);
    }

    private static EmulatorResponse CheckSkuAvailability(RequestContext c)
    {
        Arm.Arm.RequireSubscription(c, c["sub"]);
        var body = c.RequireObject();
        var kind = body["kind"]?.GetValue<string>();
        var type = body["type"]?.GetValue<string>();
        if (body["skus"] is not JsonArray skus || string.IsNullOrWhiteSpace(kind) || string.IsNullOrWhiteSpace(type))
        {
            return AzureError.Arm(400, "BadRequest", "The request must name skus, kind and type.");
        }
        var value = new JsonArray();
        foreach (var sku in skus.Select(s => s?.GetValue<string>() ?? ""))
        {
            var available = AccountSkus.Contains(sku, StringComparer.OrdinalIgnoreCase) && ModelCatalog.IsKnownLocation(c["loc"]);
            value.Add(new JsonObject
            {
                ["kind"] = kind,
                ["type"] = type,
                ["skuName"] = sku,
                ["skuAvailable"] = available,
                // [assumption] reason and message of an unavailable SKU: the spec leaves them open and no example shows one.
                ["reason"] = available ? null : "SkuNotAvailable",
                ["message"] = available ? null : $"The SKU '{sku}' is not available for kind '{kind}' in location '{c["loc"]}'.",
            });
        }
        return EmulatorResponse.Json(200, new JsonObject { ["value"] = value });
    }

    private static EmulatorResponse ModelCapacities(RequestContext c, string? location)
    {
        Arm.Arm.RequireSubscription(c, c["sub"]);
        var format = c.Query("modelFormat");
        var name = c.Query("modelName");
        var version = c.Query("modelVersion");
        if (string.IsNullOrEmpty(format) || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
        {
            return AzureError.Arm(400, "BadRequest", "The query parameters modelFormat, modelName and modelVersion are required.");
        }
        var regions = location is null ? ProviderCatalog.Locations : new[] { location.ToLowerInvariant() };
        var value = new JsonArray();
        if (format.Equals("OpenAI", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var region in regions)
            {
                foreach (var offer in ModelCatalog.OffersIn(region).Where(o => o.Model.Equals(name, StringComparison.OrdinalIgnoreCase) && o.Version == version))
                {
                    value.Add(Capacity(c.State, c["sub"], region, offer.Model, offer.Version, offer.Sku));
                }
            }
        }
        return EmulatorResponse.Json(200, new JsonObject { ["value"] = value });
    }

    private static JsonObject Capacity(EmulatorState state, string subscriptionId, string region, string model, string version, string sku) => new()
    {
        ["id"] = $"/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{region}/models/OpenAI.{model}.{version}/skuCapacities/{sku}",
        ["type"] = SkuCapacityType,
        ["name"] = sku,
        ["location"] = region,
        ["properties"] = new JsonObject
        {
            ["model"] = new JsonObject { ["format"] = "OpenAI", ["name"] = model, ["version"] = version },
            ["skuName"] = sku,
            ["availableCapacity"] = Math.Max(0, ModelCatalog.Limit(state, subscriptionId, region, ModelCatalog.UsageName(sku, model)) - ModelCatalog.Used(state, subscriptionId, region, ModelCatalog.UsageName(sku, model))),
            // The emulator models no fine-tuning: no capacity for it.
            ["availableFinetuneCapacity"] = 0,
        },
    };
}
