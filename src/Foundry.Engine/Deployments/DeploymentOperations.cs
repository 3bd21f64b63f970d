using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;
using Polly;

namespace Foundry.Engine.Deployments;

/// <summary>A model deployment on an account.</summary>
public sealed record DeploymentInfo(string ResourceId, string Name, string AccountName, string Model, string Version, string Sku, int Capacity, string? ProvisioningState,
    string Format = "OpenAI", string? VersionUpgradeOption = null);

/// <summary>What a deployment should be; <paramref name="Format"/> is the model's (from the models list), null to keep the current one (OpenAI for a new deployment).</summary>
public sealed record DeploymentSpec(string Name, string Model, string Version, string Sku, int Capacity, string? Format = null,
    string VersionUpgradeOption = Policy.DeploymentPolicy.DefaultVersionUpgradeOption);

/// <summary>
/// Model deployments (Microsoft.CognitiveServices/accounts/deployments). Azure rejects a deployment write while any
/// other operation on the account runs (409 RequestConflict): callers serialize writes per account, and each start
/// also retries that conflict with backoff.
/// </summary>
public sealed class DeploymentOperations
{
    private readonly ArmRestClient rest;
    private readonly TimeSpan pollingInterval;
    private readonly ResiliencePipeline conflictRetry;

    internal DeploymentOperations(ArmClient arm, TimeSpan pollingInterval, TimeSpan conflictRetryDelay)
    {
        rest = new ArmRestClient(arm);
        this.pollingInterval = pollingInterval;
        conflictRetry = ConflictRetry.Create(conflictRetryDelay);
    }

    /// <summary>All deployments of the account.</summary>
    public async Task<IReadOnlyList<DeploymentInfo>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var result = new List<DeploymentInfo>();
        string? next = $"{accountId}/deployments?api-version={ApiVersions.CognitiveServices}";
        var context = new FailureContext("list model deployments", accountId, "Cognitive Services User");
        while (next is not null)
        {
            var page = await rest.SendAsync(RequestMethod.Get, next, null, context, cancellationToken).ConfigureAwait(false);
            using var json = page.Json();
            foreach (var item in json.RootElement.GetProperty("value").EnumerateArray()) result.Add(ToInfo(item));
            next = json.RootElement.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
        }
        return result;
    }

    /// <summary>The deployment, or null when it does not exist.</summary>
    public async Task<DeploymentInfo?> GetAsync(string accountId, string name, CancellationToken cancellationToken)
    {
        var id = $"{accountId}/deployments/{name}";
        var result = await rest.SendAsync(RequestMethod.Get, $"{id}?api-version={ApiVersions.CognitiveServices}", null,
            new FailureContext($"read model deployment '{name}'", id), cancellationToken, 404).ConfigureAwait(false);
        if (result.Status == 404) return null;
        using var json = result.Json();
        return ToInfo(json.RootElement);
    }

    /// <summary>
    /// Starts creating or updating a deployment (retrying 409 RequestConflict). An update sends the deployment's whole
    /// current definition with the change: a PUT replaces, so a body without raiPolicyName would drop the content filter.
    /// </summary>
    public async Task<EngineOperation> StartCreateOrUpdateAsync(string accountId, DeploymentSpec spec, string? location, CancellationToken cancellationToken, bool update = false)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        var id = $"{accountId}/deployments/{spec.Name}";
        var context = new FailureContext($"{(update ? "update" : "create")} model deployment '{spec.Name}' ({spec.Model} {spec.Version}, {spec.Sku}, capacity {spec.Capacity})", id,
            "Cognitive Services Contributor", location);
        var current = update ? await GetDefinitionAsync(id, context, cancellationToken).ConfigureAwait(false) : null;
        var body = Definition(current, spec).ToJsonString();
        var operation = await conflictRetry.ExecuteAsync(
            async token => await rest.StartAsync(RequestMethod.Put, id, body, context, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return new EngineOperation(operation, id, context, pollingInterval);
    }

    // Computed by Azure: sending them back is at best ignored.
    private static readonly string[] ReadOnlyProperties = { "provisioningState", "capabilities", "rateLimits", "callRateLimit", "dynamicThrottlingEnabled", "deploymentState" };

    private async Task<JsonObject?> GetDefinitionAsync(string id, FailureContext context, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Get, $"{id}?api-version={ApiVersions.CognitiveServices}", null, context, cancellationToken, 404).ConfigureAwait(false);
        return result.Status == 404 ? null : JsonNode.Parse(result.Body) as JsonObject;
    }

    /// <summary>The PUT body: the current definition (tags, SKU, content filter, upgrade option, scale settings…) with the policy's model and capacity.</summary>
    internal static JsonObject Definition(JsonObject? current, DeploymentSpec spec)
    {
        var body = new JsonObject();
        if (current?["tags"] is JsonObject tags) body["tags"] = tags.DeepClone();
        var sku = current?["sku"] is JsonObject currentSku ? (JsonObject)currentSku.DeepClone() : new JsonObject();
        sku["name"] = spec.Sku;
        sku["capacity"] = spec.Capacity;
        body["sku"] = sku;
        var properties = current?["properties"] is JsonObject currentProperties ? (JsonObject)currentProperties.DeepClone() : new JsonObject();
        foreach (var name in ReadOnlyProperties) properties.Remove(name);
        var format = spec.Format ?? properties["model"]?["format"]?.GetValue<string>() ?? "OpenAI";
        properties["model"] = new JsonObject { ["format"] = format, ["name"] = spec.Model, ["version"] = spec.Version };
        // The policy's upgrade option on create and on every update: Azure's default for a PUT without one is
        // OnceNewDefaultVersionAvailable, which would move the version under the apps' feet.
        properties["versionUpgradeOption"] = spec.VersionUpgradeOption;
        body["properties"] = properties;
        return body;
    }

    /// <summary>Starts deleting a deployment (retrying 409 RequestConflict); null when it does not exist.</summary>
    public async Task<EngineOperation?> StartDeleteAsync(string accountId, string name, CancellationToken cancellationToken)
    {
        var id = $"{accountId}/deployments/{name}";
        var context = new FailureContext($"delete model deployment '{name}'", id, "Cognitive Services Contributor");
        try
        {
            var operation = await conflictRetry.ExecuteAsync(
                async token => await rest.StartAsync(RequestMethod.Delete, id, null, context, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return new EngineOperation(operation, id, context, pollingInterval);
        }
        catch (FoundryEngineException e) when (e.Kind == FailureKind.NotFound)
        {
            return null;
        }
    }

    private static DeploymentInfo ToInfo(JsonElement item)
    {
        var id = item.GetProperty("id").GetString() ?? "";
        var properties = item.GetProperty("properties");
        var model = properties.TryGetProperty("model", out var m) ? m : default;
        var sku = item.TryGetProperty("sku", out var s) ? s : default;
        var parts = id.Split('/');
        var account = parts.Length >= 3 ? parts[parts.Length - 3] : "";
        return new DeploymentInfo(id, item.GetProperty("name").GetString() ?? "", account, Text(model, "name") ?? "", Text(model, "version") ?? "",
            Text(sku, "name") ?? "", sku.ValueKind == JsonValueKind.Object && sku.TryGetProperty("capacity", out var c) && c.TryGetInt32(out var n) ? n : 0,
            Text(properties, "provisioningState"), Text(model, "format") ?? "OpenAI", Text(properties, "versionUpgradeOption"));
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
