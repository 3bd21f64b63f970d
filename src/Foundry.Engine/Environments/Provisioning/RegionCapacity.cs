using System.Text.Json;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Policy;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Environments;

/// <summary>One SKU of a model version as the region's models list offers it to an account kind.</summary>
/// <param name="Kind">The account kind it is offered to (OpenAI, AIServices).</param>
/// <param name="Format">The model's format (its publisher: OpenAI, Microsoft, DeepSeek, Mistral AI, Meta …), which a deployment must name.</param>
/// <param name="Model">Model name.</param>
/// <param name="Version">Model version.</param>
/// <param name="Sku">Deployment SKU.</param>
/// <param name="UsageName">The quota usage the SKU draws from (skus[].usageName), e.g. "OpenAI.Standard.GPT4o" or the shared "OpenAI.GlobalProvisionedManaged".</param>
public sealed record ModelOffer(string Kind, string Format, string Model, string Version, string Sku, string? UsageName);

/// <summary>A quota usage of a region: what is used of its limit.</summary>
public sealed record QuotaUsage(string Name, string Label, double Used, double Limit);

/// <summary>What a region offers (every page of its models list) and its quota (every page of its usages).</summary>
public sealed record RegionCatalog(string Location, IReadOnlyList<ModelOffer> Offers, IReadOnlyDictionary<string, QuotaUsage> Usages)
{
    /// <summary>Each listed model version's lifecycle (lifecycleStatus, deprecation.inference), from the same read of the models list.</summary>
    public IReadOnlyList<Deployments.ModelVersionLifecycle> Lifecycles { get; init; } = Array.Empty<Deployments.ModelVersionLifecycle>();

    /// <summary>The server's clock when the models list was read (its Date header), which retirement is judged by.</summary>
    public DateTimeOffset? ServerDate { get; init; }

    /// <summary>False when only the models list was read (no quota): such a catalogue cannot place an account.</summary>
    public bool UsagesRead { get; init; } = true;

    /// <summary>The offer of the deployment's model, version and SKU to an account of <paramref name="kind"/>, or null.</summary>
    public ModelOffer? OfferFor(DeploymentPolicy deployment, string kind) =>
        Offers.FirstOrDefault(o => o.Kind.Equals(kind, StringComparison.OrdinalIgnoreCase) && o.Model.Equals(deployment.Model, StringComparison.OrdinalIgnoreCase) &&
                                   o.Version == deployment.Version && o.Sku.Equals(deployment.Sku, StringComparison.OrdinalIgnoreCase));

    /// <summary>The format a deployment of the model must name on an account of <paramref name="kind"/> (the models list's), or null when not listed.</summary>
    public string? FormatOf(DeploymentPolicy deployment, string kind) =>
        (OfferFor(deployment, kind) ?? Offers.FirstOrDefault(o => o.Kind.Equals(kind, StringComparison.OrdinalIgnoreCase) &&
            o.Model.Equals(deployment.Model, StringComparison.OrdinalIgnoreCase) && o.Version == deployment.Version))?.Format;
}

/// <summary>
/// Pre-flight checks before an account is placed: which models and SKUs a region offers to the account's kind, and
/// how much quota is free per usage there. Each model SKU names the usage it draws from (skus[].usageName): it is not
/// always "OpenAI.{sku}.{model}" (gpt-4o Standard counts against "OpenAI.Standard.GPT4o", the provisioned SKUs share
/// one pool per deployment type, Foundry models count against "AIServices.…" usages), so deployments are summed per
/// usage name. Both lists are paged (nextLink) and read to the end. The first approved region that fits every
/// deployment wins; when none does, the error says what each region lacked.
/// </summary>
public sealed class RegionCapacity
{
    private readonly ArmRestClient rest;

    internal RegionCapacity(ArmClient arm) => rest = new ArmRestClient(arm);

    /// <summary>The region's models and quota, every page of both (the models only when <paramref name="withUsages"/> is false).</summary>
    public async Task<RegionCatalog> ReadAsync(string subscriptionId, string location, CancellationToken cancellationToken, bool withUsages = true)
    {
        var offers = new List<ModelOffer>();
        var lifecycles = new List<Deployments.ModelVersionLifecycle>();
        DateTimeOffset? serverDate = null;
        await foreach (var item in PagesAsync($"/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}/models?api-version={ApiVersions.CognitiveServices}",
                           new FailureContext("list the models offered in the region", location, Location: location), cancellationToken,
                           page => serverDate ??= Deployments.ModelLifecycle.DateOf(page)).ConfigureAwait(false))
        {
            offers.AddRange(OffersOf(item));
            if (Deployments.ModelLifecycle.Parse(item) is { } lifecycle) lifecycles.Add(lifecycle);
        }
        var usages = new Dictionary<string, QuotaUsage>(StringComparer.OrdinalIgnoreCase);
        if (withUsages)
        {
            await foreach (var item in PagesAsync($"/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}/usages?api-version={ApiVersions.CognitiveServices}",
                               new FailureContext("read the quota usage in the region", location, Location: location), cancellationToken).ConfigureAwait(false))
            {
                if (UsageOf(item) is { } usage) usages[usage.Name] = usage;
            }
        }
        return new RegionCatalog(location, offers, usages) { Lifecycles = lifecycles, ServerDate = serverDate, UsagesRead = withUsages };
    }

    /// <summary>Why <paramref name="location"/> cannot host <paramref name="deployments"/> on an account of <paramref name="kind"/>, or null when it can.</summary>
    public async Task<string?> ProblemInAsync(string subscriptionId, string location, IReadOnlyList<DeploymentPolicy> deployments, CancellationToken cancellationToken, string kind = "OpenAI") =>
        ProblemIn(await ReadAsync(subscriptionId, location, cancellationToken).ConfigureAwait(false), deployments, kind);

    /// <summary>Why the region of <paramref name="catalog"/> cannot host <paramref name="deployments"/>, or null when it can.</summary>
    public static string? ProblemIn(RegionCatalog catalog, IReadOnlyList<DeploymentPolicy> deployments, string kind)
    {
        var problems = new List<string>();
        var needs = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var deployment in deployments)
        {
            if (catalog.OfferFor(deployment, kind) is not { } offer)
            {
                problems.Add($"{deployment.Model} {deployment.Version} ({deployment.Sku}) is not offered{(kind == "OpenAI" ? "" : $" to {kind} accounts")}");
                continue;
            }
            // A SKU listed without a usage name has no quota of its own to check.
            if (offer.UsageName is { } usage) needs[usage] = (needs.TryGetValue(usage, out var n) ? n : 0) + deployment.Capacity;
        }
        foreach (var need in needs)
        {
            var needed = need.Value;
            if (catalog.Usages.TryGetValue(need.Key, out var usage) && usage.Limit - usage.Used < needed)
            {
                problems.Add($"quota '{usage.Label}' has {usage.Limit - usage.Used} free of {usage.Limit} (needs {needed}) [usage {usage.Name}]");
            }
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private async IAsyncEnumerable<JsonElement> PagesAsync(string first, FailureContext context, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken,
        Action<RestResult>? onPage = null)
    {
        string? next = first;
        while (next is not null)
        {
            var page = await rest.SendAsync(RequestMethod.Get, next, null, context, cancellationToken).ConfigureAwait(false);
            onPage?.Invoke(page);
            using var json = page.Json();
            if (json.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray()) yield return item.Clone();
            }
            next = json.RootElement.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String && link.GetString() is { Length: > 0 } url ? url : null;
        }
    }

    private static IEnumerable<ModelOffer> OffersOf(JsonElement item)
    {
        if (!item.TryGetProperty("model", out var model)) yield break;
        var kind = Text(item, "kind") ?? "OpenAI";
        var format = Text(model, "format") ?? "OpenAI";
        var name = Text(model, "name") ?? "";
        var version = Text(model, "version") ?? "";
        if (!model.TryGetProperty("skus", out var skus) || skus.ValueKind != JsonValueKind.Array) yield break;
        foreach (var sku in skus.EnumerateArray())
        {
            if (Text(sku, "name") is { } skuName) yield return new ModelOffer(kind, format, name, version, skuName, Text(sku, "usageName"));
        }
    }

    private static QuotaUsage? UsageOf(JsonElement item)
    {
        var name = item.TryGetProperty("name", out var n) ? n : default;
        var key = name.ValueKind == JsonValueKind.Object ? Text(name, "value") : null;
        if (key is null) return null;
        var label = Text(name, "localizedValue") ?? key;
        return new QuotaUsage(key, label, item.TryGetProperty("currentValue", out var c) ? c.GetDouble() : 0, item.TryGetProperty("limit", out var lim) ? lim.GetDouble() : double.MaxValue);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
