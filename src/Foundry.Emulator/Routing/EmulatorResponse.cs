using System.Text.Json.Nodes;

namespace Foundry.Emulator.Routing;

/// <summary>What a handler answers; the pipeline adds the service's standard headers and writes it.</summary>
public sealed class EmulatorResponse
{
    public int Status { get; init; }
    public JsonNode? Body { get; init; }
    public string ContentType { get; init; } = "application/json; charset=utf-8";
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How the body is written; null is System.Text.Json's default (which escapes HTML-sensitive characters and backticks).</summary>
    public System.Text.Json.JsonSerializerOptions? Serialization { get; init; }

    /// <summary>Characters as Azure writes them (a backtick stays a backtick), for services whose bodies are quoted verbatim.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Verbatim = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body as written on the wire.</summary>
    public string? BodyText() => Body?.ToJsonString(Serialization);

    public static EmulatorResponse Json(int status, JsonNode? body) => new() { Status = status, Body = body };

    public static EmulatorResponse Empty(int status) => new() { Status = status };

    public EmulatorResponse WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }
}

/// <summary>Azure's error bodies, per surface.</summary>
public static class AzureError
{
    /// <summary>Resource Manager: {"error":{"code","message"[,"details"]}}.</summary>
    public static EmulatorResponse Arm(int status, string code, string message, JsonArray? details = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (details is not null) error["details"] = details;
        return EmulatorResponse.Json(status, new JsonObject { ["error"] = error });
    }

    /// <summary>Key Vault data plane: {"error":{"code","message"[,"innererror":{"code"}]}}.</summary>
    public static EmulatorResponse KeyVault(int status, string code, string message, string? innerCode = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null) error["innererror"] = new JsonObject { ["code"] = innerCode };
        return EmulatorResponse.Json(status, new JsonObject { ["error"] = error });
    }

    /// <summary>Azure OpenAI data plane: the code is often the status as a string ("401"); messages keep their backticks unescaped.</summary>
    public static EmulatorResponse OpenAI(int status, string code, string message) =>
        new EmulatorResponse
        {
            Status = status,
            Body = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } },
            ContentType = "application/json",
            Serialization = EmulatorResponse.Verbatim,
        };

    public static EmulatorResponse ResourceNotFound(string resourceId) =>
        Arm(404, "ResourceNotFound", $"The Resource '{ResourceIds.TypeAndName(resourceId)}' under resource group '{ResourceIds.ResourceGroup(resourceId)}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");

    public static EmulatorResponse ResourceGroupNotFound(string resourceGroup) =>
        Arm(404, "ResourceGroupNotFound", $"Resource group '{resourceGroup}' could not be found.").WithHeader("x-ms-failure-cause", "gateway");

    public static EmulatorResponse SubscriptionNotFound(string subscriptionId) =>
        Arm(404, "SubscriptionNotFound", $"The subscription '{subscriptionId}' could not be found.");

    public static EmulatorResponse InvalidRequestContent(string detail) =>
        Arm(400, "InvalidRequestContent", $"The request content was invalid and could not be deserialized: '{detail}'.");
}
