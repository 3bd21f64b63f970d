using System.Text.Json.Nodes;
using Foundry.Emulator.CognitiveServices;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.OpenAI;

/// <summary>
/// Azure OpenAI data plane: chat completions and embeddings on a deployment (as the model allows: see ModelOperations), on {subdomain}.openai.localhost. Only the account's
/// current key1 or key2 is accepted (a regenerated key gets Azure's exact 401), which is how rotation is proven. Entra
/// tokens are accepted only for principals holding an OpenAI data role after propagation (see OpenAIAccess).
/// </summary>
internal sealed class OpenAIArea : IEmulatorArea
{
    private const string InvalidKey = "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.";

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        routes.Map(ServiceKind.OpenAI, "POST", "/openai/deployments/(?<deployment>[^/]+)/chat/completions", Chat, new RouteOptions { ReadOnly = true, RequiresApiVersion = false });
        routes.Map(ServiceKind.OpenAI, "POST", "/openai/deployments/(?<deployment>[^/]+)/embeddings", Embeddings, new RouteOptions { ReadOnly = true, RequiresApiVersion = false });
    }

    private static EmulatorResponse Embeddings(RequestContext c) =>
        Serving(c, "embeddings", out var deployment) ?? ModelOperations.Embed(deployment!.Name, deployment.Properties["model"]?["name"]?.ToString() ?? "", c.Body);

    /// <summary>Azure's refusal (unknown host, key, local auth, token audience, data role, deployment) or null with the serving deployment.</summary>
    private static EmulatorResponse? Serving(RequestContext c, string operation, out ArmResource? deployment)
    {
        deployment = null;
        var account = c.State.Resources.Values.FirstOrDefault(r => r.Type == CognitiveServicesArea.AccountType &&
            string.Equals(r.Properties["customSubDomainName"]?.GetValue<string>(), c.HostLabel, StringComparison.OrdinalIgnoreCase));
        if (account is null) return AzureError.OpenAI(404, "404", "Resource not found");
        if (c.ApiVersion is null) return AzureError.OpenAI(404, "404", "Resource not found");

        var apiKey = c.Http.Request.Headers["api-key"].ToString();
        var bearer = c.Http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        var keys = c.State.AccountKeys.GetValueOrDefault(EmulatorState.Key(account.Id));
        var keyValid = keys is not null && apiKey.Length > 0 && (apiKey == keys.Key1 || apiKey == keys.Key2);
        if (!keyValid && !bearer) return AzureError.OpenAI(401, "401", InvalidKey);
        if (keyValid && account.Properties["disableLocalAuth"]?.GetValue<bool>() == true)
        {
            // As Azure answers it: 403 {"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this resource."}}
            // (quoted from a real run in chadtoney/ai-agents-trainer-hub TROUBLESHOOTING-AZURE.md).
            return AzureError.OpenAI(403, "AuthenticationTypeDisabled", "Key based authentication is disabled for this resource.");
        }
        if (!keyValid && OpenAIAccess.Refuse(c, account, operation) is { } denied) return denied;

        deployment = c.State.Find($"{account.Id}/deployments/{c["deployment"]}");
        if (deployment is null || deployment.ProvisioningState != "Succeeded")
        {
            return AzureError.OpenAI(404, "DeploymentNotFound", "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.");
        }
        return null;
    }

    private static EmulatorResponse Chat(RequestContext c)
    {
        if (Serving(c, "chat/completions", out var deployment) is { } refused) return refused;
        if (ModelOperations.RefuseChat(deployment!.Properties["model"]?["name"]?.ToString() ?? "", c.Body) is { } unsupported) return unsupported;
        if (c.Body?["messages"] is not JsonArray { Count: > 0 } messages)
        {
            return new EmulatorResponse
            {
                Status = 400,
                ContentType = "application/json",
                Body = new JsonObject { ["error"] = new JsonObject { ["message"] = "'messages' is a required property", ["type"] = "invalid_request_error", ["param"] = null, ["code"] = null } },
            };
        }
        var model = deployment.Properties["model"];
        var prompt = messages.Sum(m => (m?["content"]?.ToString().Length ?? 0) / 4 + 1);
        var filter = new JsonObject
        {
            ["hate"] = Safe(), ["self_harm"] = Safe(), ["sexual"] = Safe(), ["violence"] = Safe(),
            ["protected_material_code"] = new JsonObject { ["filtered"] = false, ["detected"] = false },
            ["protected_material_text"] = new JsonObject { ["filtered"] = false, ["detected"] = false },
        };
        var body = new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject
            {
                ["content_filter_results"] = filter,
                ["finish_reason"] = "stop",
                ["index"] = 0,
                ["logprobs"] = null,
                ["message"] = new JsonObject { ["content"] = $"This is a reply from deployment {deployment.Name}.", ["role"] = "assistant" },
            }),
            ["created"] = c.Now.ToUnixTimeSeconds(),
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("n")[..29],
            ["model"] = $"{model?["name"]}-{model?["version"]}",
            ["object"] = "chat.completion",
            ["prompt_filter_results"] = new JsonArray(new JsonObject { ["prompt_index"] = 0, ["content_filter_results"] = new JsonObject { ["jailbreak"] = new JsonObject { ["filtered"] = false, ["detected"] = false } } }),
            ["system_fingerprint"] = "fp_foundrylocal",
            ["usage"] = new JsonObject { ["completion_tokens"] = 9, ["prompt_tokens"] = prompt, ["total_tokens"] = prompt + 9 },
        };
        var capacity = deployment.Sku?["capacity"]?.GetValue<int>() ?? 1;
        return new EmulatorResponse { Status = 200, Body = body, ContentType = "application/json" }
            .WithHeader("x-ratelimit-remaining-requests", (capacity * 10 - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHeader("x-ratelimit-remaining-tokens", (capacity * 1000 - prompt - 9).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHeader("x-ms-rai-invoked", "true")
            .WithHeader("X-Request-ID", Guid.NewGuid().ToString());
    }

    private static JsonObject Safe() => new() { ["filtered"] = false, ["severity"] = "safe" };
}
