using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Emulator.State;
using Microsoft.AspNetCore.Http;

namespace Foundry.Emulator.Routing;

/// <summary>Thrown by a handler to answer with an error response right away.</summary>
public sealed class EmulatorErrorException(EmulatorResponse response) : Exception(response.Body?.ToJsonString())
{
    public EmulatorResponse Response { get; } = response;
}

/// <summary>One request as a handler sees it: route values, query, body, caller, and the cloud.</summary>
public sealed class RequestContext
{
    private readonly Match match;
    private JsonNode? body;
    private bool bodyParsed;

    internal RequestContext(HttpContext http, LocalCloud cloud, Match match, ServiceKind service, string rawBody, string principal)
    {
        Http = http;
        Cloud = cloud;
        this.match = match;
        Service = service;
        RawBody = rawBody;
        Principal = principal;
    }

    public HttpContext Http { get; }
    public LocalCloud Cloud { get; }
    public EmulatorState State => Cloud.State;
    public ServiceKind Service { get; }
    public string RawBody { get; }
    /// <summary>The caller: the token's oid claim, or the token itself for the emulator's plain tokens.</summary>
    public string Principal { get; }
    public DateTimeOffset Now => Cloud.Now;
    public string Method => Http.Request.Method;
    public string Path => Http.Request.Path.Value ?? "/";

    /// <summary>A named group of the route pattern, URL-decoded.</summary>
    public string this[string group] => Uri.UnescapeDataString(match.Groups[group].Value);

    public string? Query(string name)
    {
        var value = Http.Request.Query[name];
        return value.Count == 0 ? null : value.ToString();
    }

    public string? ApiVersion => Query("api-version");

    /// <summary>The port the emulator listens on, for the host names it hands out.</summary>
    public int Port => Http.Connection.LocalPort;

    /// <summary>Scheme, host and port the client used, for absolute status URLs and nextLinks.</summary>
    public string BaseUri => $"{Http.Request.Scheme}://{Http.Request.Host.Value}";

    public string Absolute(string pathAndQuery) => BaseUri + pathAndQuery;

    public string VaultUri(string vaultName) => $"https://{vaultName.ToLowerInvariant()}.vault.localhost:{Port}/";

    /// <summary>The first label of the host (vault name or account subdomain on data-plane hosts).</summary>
    public string HostLabel => Http.Request.Host.Host.Split('.')[0];

    /// <summary>The JSON body, or null when there is none. Malformed JSON answers 400 as the service would.</summary>
    public JsonNode? Body
    {
        get
        {
            if (bodyParsed) return body;
            bodyParsed = true;
            if (string.IsNullOrWhiteSpace(RawBody)) return body = null;
            try
            {
                body = JsonNode.Parse(RawBody);
            }
            catch (JsonException e)
            {
                throw new EmulatorErrorException(Service switch
                {
                    ServiceKind.KeyVault => AzureError.KeyVault(400, "BadParameter", "The request body is not valid JSON: " + e.Message),
                    ServiceKind.OpenAI => AzureError.OpenAI(400, "BadRequest", "We could not parse the JSON body of your request."),
                    _ => AzureError.InvalidRequestContent(e.Message),
                });
            }
            return body;
        }
    }

    /// <summary>The body as an object; a missing or non-object body answers 400.</summary>
    public JsonObject RequireObject()
    {
        if (Body is JsonObject o) return o;
        throw new EmulatorErrorException(Service == ServiceKind.KeyVault
            ? AzureError.KeyVault(400, "BadParameter", "The request body is required and must be a JSON object.")
            : AzureError.Arm(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'a JSON object is required'."));
    }

    public static EmulatorErrorException Fail(EmulatorResponse response) => new(response);
}
