using System.Text.Json.Nodes;
using Foundry.Emulator.Arm;
using Foundry.Emulator.Control;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.CognitiveServices;

/// <summary>
/// Model deployments. A write while any other operation on the account is running answers 409 RequestConflict,
/// as Azure does; the model must be offered in the account's region; capacity must fit the region's quota.
/// </summary>
internal static class Deployments
{
    private const string Account = "/subscriptions/(?<sub>[^/]+)/resourcegroups/(?<rg>[^/]+)/providers/Microsoft.CognitiveServices/accounts/(?<name>[^/]+)";

    public static void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions { ApiVersionOf = CognitiveServicesArea.DeploymentType };
        routes.Map(ServiceKind.Management, "GET", Account + "/deployments", c =>
        {
            var account = CognitiveServicesArea.Require(c);
            return Arm.Arm.Page(c, c.State.Descendants(account.Id).Where(r => r.Type == CognitiveServicesArea.DeploymentType)
                .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Select(r => (JsonNode)r.ToJson()));
        }, options);
        routes.Map(ServiceKind.Management, "GET", Account + "/deployments/(?<deployment>[^/]+)", c =>
        {
            CognitiveServicesArea.Require(c);
            var id = IdOf(c);
            return c.State.Find(id) is { } deployment
                ? EmulatorResponse.Json(200, deployment.ToJson()).WithHeader("ETag", deployment.Etag)
                : AzureError.Arm(404, "NotFound", $"Specified resource '{id}' cannot be found.");
        }, options);
        routes.Map(ServiceKind.Management, "PUT", Account + "/deployments/(?<deployment>[^/]+)", Put, options);
        routes.Map(ServiceKind.Management, "DELETE", Account + "/deployments/(?<deployment>[^/]+)", Delete, options);
        cloud.OnOperationComplete("deployments.create", (c, operation) =>
        {
            if (c.State.Find(operation.ResourceId) is { } deployment)
            {
                deployment.ProvisioningState = "Succeeded";
                deployment.Touch(c.Now);
            }
        });
    }

    /// <summary>Whether an operation on the account (its creation or a deployment write) is still running.</summary>
    public static bool Busy(RequestContext c, string accountId)
    {
        var key = EmulatorState.Key(accountId);
        return c.State.Operations.Values.Any(o => !o.IsTerminal && (EmulatorState.Key(o.ResourceId) == key || EmulatorState.Key(o.ResourceId).StartsWith(key + "/", StringComparison.Ordinal)));
    }

    private static readonly string[] ServerOwned = { "capabilities", "rateLimits", "provisioningState", "callRateLimit" };

    /// <summary>Azure's defaults for what a deployment PUT omits: the default content filter, and upgrades when a new default version ships.</summary>
    private static readonly Dictionary<string, JsonNode?> Defaults = new()
    {
        ["versionUpgradeOption"] = "OnceNewDefaultVersionAvailable",
        ["raiPolicyName"] = "Microsoft.DefaultV2",
    };

    private static string IdOf(RequestContext c) => $"{CognitiveServicesArea.IdOf(c)}/deployments/{c["deployment"]}";

    private static EmulatorResponse Put(RequestContext c)
    {
        var account = CognitiveServicesArea.Require(c);
        var name = c["deployment"];
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$"))
        {
            return AzureError.Arm(400, "InvalidResourceName", $"Resource name '{name}' is invalid.");
        }
        var body = c.RequireObject();
        if (Busy(c, account.Id) || account.ProvisioningState != "Succeeded") return CognitiveServicesArea.Conflict(account.Id);
        // A body with no sku gets Standard, capacity 1 (recorded: cogsvc-js-recording_should_deploy_a_davinci_model_in_that_account).
        var sku = body["sku"] is null ? "Standard" : body["sku"]?["name"]?.GetValue<string>();
        var capacity = body["sku"]?["capacity"]?.GetValue<int>() ?? 1;
        var model = body["properties"]?["model"];
        var modelName = model?["name"]?.GetValue<string>();
        var version = model?["version"]?.GetValue<string>();
        if (sku is null || modelName is null || version is null || capacity < 1)
        {
            return AzureError.Arm(400, "InvalidResourceProperties", "The deployment needs sku.name, a positive sku.capacity and properties.model with format, name and version.");
        }
        var location = account.Location!;
        var offer = ModelCatalog.Find(location, modelName, version, sku);
        if (offer is null)
        {
            return AzureError.Arm(400, "InvalidResourceProperties", $"The specified SKU '{sku}' for model '{modelName} {version}' is not supported in this region '{location}'.");
        }
        // The format names the model's publisher and must be the catalogue's ("OpenAI", "Microsoft", "DeepSeek",
        // "Mistral AI", "Meta" …); a Foundry model deploys only on an AIServices account. Azure refuses either with
        // DeploymentModelNotSupported "The model 'Format:Mistral AI,Name:Mistral-Large-3,Version:1' of account
        // deployment is not supported." (as reported in microsoft/microsoft-foundry-for-vscode#497 and
        // akshata29/entaoai#36). A body without a format takes the catalogue's (recorded SDK tests send none).
        var format = model?["format"]?.GetValue<string>() ?? offer.Format;
        if (!format.Equals(offer.Format, StringComparison.Ordinal) || !offer.OfferedTo(account.Kind ?? "OpenAI"))
        {
            return AzureError.Arm(400, "DeploymentModelNotSupported", $"The model 'Format:{format},Name:{modelName},Version:{version}' of account deployment is not supported.");
        }
        var id = IdOf(c);
        var existing = c.State.Find(id);
        var usage = offer.UsageName;
        var used = ModelCatalog.Used(c.State, account.SubscriptionId, location, usage, exceptDeploymentId: id);
        var limit = ModelCatalog.Limit(c.State, account.SubscriptionId, location, usage);
        if (used + capacity > limit)
        {
            var label = ModelCatalog.UsageLabel(usage);
            var current = existing?.Sku?["capacity"]?.GetValue<int>() ?? 0;
            return AzureError.Arm(400, "InsufficientQuota",
                $"This operation require {capacity - current} new capacity in quota {label}, which is bigger than the current available capacity {Math.Max(0, limit - used - current)}. " +
                $"The current quota usage is {used + current} and the quota limit is {limit} for quota {label}.");
        }
        var deployment = existing ?? Arm.Arm.NewResource(c, id, name, CognitiveServicesArea.DeploymentType, account.SubscriptionId, account.ResourceGroup);
        deployment.Sku = new JsonObject { ["name"] = sku, ["capacity"] = capacity };
        // A PUT is the whole deployment: an omitted content filter or upgrade option goes back to its default.
        deployment.Properties = ResourceWrites.ReplaceProperties(deployment.Properties, body["properties"] as JsonObject, ServerOwned, Defaults);
        deployment.Properties["model"] = new JsonObject { ["format"] = format, ["name"] = modelName, ["version"] = version };
        deployment.Properties["capabilities"] = new JsonObject { ["chatCompletion"] = "true" };
        deployment.Properties["rateLimits"] = new JsonArray(new JsonObject { ["key"] = "request", ["renewalPeriod"] = 10, ["count"] = capacity }, new JsonObject { ["key"] = "token", ["renewalPeriod"] = 60, ["count"] = capacity * 1000 });
        deployment.Properties["provisioningState"] = "Succeeded";
        deployment.Tags = Arm.Arm.ParseTags(body["tags"]);
        // Azure answers a new deployment 201 already Succeeded, with no async operation (recorded: the JS and azure-cli
        // deployment tests). Only a configured creation time (a slow region, benchmarks) makes it a long-running create.
        var timing = $"{CognitiveServicesArea.DeploymentType}:create";
        var slow = existing is null && c.Cloud.Timings.For(timing) > TimeSpan.Zero;
        if (slow) deployment.Properties["provisioningState"] = "Creating";
        deployment.Touch(c.Now);
        c.State.Put(deployment);
        if (existing is not null) return EmulatorResponse.Json(200, deployment.ToJson());
        if (!slow) return EmulatorResponse.Json(201, deployment.ToJson());
        var operation = c.Cloud.StartOperation(account.SubscriptionId, "Microsoft.CognitiveServices", location, id, "deployments.create", timing, "Creating");
        return EmulatorResponse.Json(201, deployment.ToJson())
            .WithHeader("Azure-AsyncOperation", Arm.Arm.AsyncOperationUrl(c, operation))
            .WithHeader("Retry-After", Arm.Arm.RetryAfter(c.Cloud, operation));
    }

    private static EmulatorResponse Delete(RequestContext c)
    {
        var account = CognitiveServicesArea.Require(c);
        var deployment = c.State.Find(IdOf(c));
        if (deployment is null) return EmulatorResponse.Empty(204);
        if (Busy(c, account.Id)) return CognitiveServicesArea.Conflict(account.Id);
        c.Cloud.DeleteResource(deployment);
        return EmulatorResponse.Empty(200);
    }
}
