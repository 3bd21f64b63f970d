using System.Text.Json;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Policy;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Environments;

/// <summary>
/// Pre-flight checks before an account is placed: which models and SKUs a region offers, and how much quota is
/// free per (SKU, model) there. The first approved region that fits every deployment wins; when none does, the
/// error says what each region lacked.
/// </summary>
public sealed class RegionCapacity
{
    private readonly ArmRestClient rest;

    internal RegionCapacity(ArmClient arm) => rest = new ArmRestClient(arm);

    /// <summary>Why <paramref name="location"/> cannot host <paramref name="deployments"/>, or null when it can.</summary>
    public async Task<string?> ProblemInAsync(string subscriptionId, string location, IReadOnlyList<DeploymentPolicy> deployments, CancellationToken cancellationToken)
    {
        var models = await rest.SendAsync(RequestMethod.Get,
            $"/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}/models?api-version={ApiVersions.CognitiveServices}", null,
            new FailureContext("list the models offered in the region", location, Location: location), cancellationToken).ConfigureAwait(false);
        var usages = await rest.SendAsync(RequestMethod.Get,
            $"/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}/usages?api-version={ApiVersions.CognitiveServices}", null,
            new FailureContext("read the quota usage in the region", location, Location: location), cancellationToken).ConfigureAwait(false);
        var offered = Offered(models);
        var quota = Quota(usages);
        var problems = new List<string>();
        foreach (var group in deployments.GroupBy(d => (d.Model, d.Sku)))
        {
            foreach (var deployment in group)
            {
                if (!offered.Contains((deployment.Model, deployment.Version, deployment.Sku)))
                {
                    problems.Add($"{deployment.Model} {deployment.Version} ({deployment.Sku}) is not offered");
                }
            }
            var needed = group.Sum(d => d.Capacity);
            if (quota.TryGetValue($"OpenAI.{group.Key.Sku}.{group.Key.Model}", out var usage) && usage.Limit - usage.Used < needed)
            {
                problems.Add($"quota '{usage.Label}' has {usage.Limit - usage.Used} free of {usage.Limit} (needs {needed})");
            }
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static HashSet<(string, string, string)> Offered(RestResult models)
    {
        var offered = new HashSet<(string, string, string)>();
        using var json = models.Json();
        if (!json.RootElement.TryGetProperty("value", out var value)) return offered;
        foreach (var item in value.EnumerateArray())
        {
            if (!item.TryGetProperty("model", out var model)) continue;
            var name = model.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var version = model.TryGetProperty("version", out var v) ? v.GetString() ?? "" : "";
            if (!model.TryGetProperty("skus", out var skus) || skus.ValueKind != JsonValueKind.Array) continue;
            foreach (var sku in skus.EnumerateArray())
            {
                if (sku.TryGetProperty("name", out var skuName)) offered.Add((name, version, skuName.GetString() ?? ""));
            }
        }
        return offered;
    }

    private static Dictionary<string, (double Used, double Limit, string Label)> Quota(RestResult usages)
    {
        var quota = new Dictionary<string, (double, double, string)>(StringComparer.OrdinalIgnoreCase);
        using var json = usages.Json();
        if (!json.RootElement.TryGetProperty("value", out var value)) return quota;
        foreach (var item in value.EnumerateArray())
        {
            var name = item.TryGetProperty("name", out var n) ? n : default;
            var key = name.ValueKind == JsonValueKind.Object && name.TryGetProperty("value", out var k) ? k.GetString() : null;
            if (key is null) continue;
            var label = name.TryGetProperty("localizedValue", out var l) ? l.GetString() ?? key : key;
            quota[key] = (item.TryGetProperty("currentValue", out var c) ? c.GetDouble() : 0, item.TryGetProperty("limit", out var lim) ? lim.GetDouble() : double.MaxValue, label);
        }
        return quota;
    }
}
