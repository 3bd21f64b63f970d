using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;

namespace Foundry.Engine.Rest;

/// <summary>
/// Calls the Resource Manager operations no typed SDK package covers here (listKeys, regenerateKey, app settings,
/// role assignments, Resource Graph…) through the ArmClient's own pipeline: the same credential, retry policy
/// (429 and 5xx with Retry-After), logging redaction and user agent as every SDK call, on the ArmClient's endpoint.
/// </summary>
internal sealed class ArmRestClient : ArmResource
{
    public ArmRestClient(ArmClient client) : base(client, ResourceIdentifier.Root)
    {
    }

    /// <summary>Sends a request to <paramref name="pathAndQuery"/> (relative to the endpoint, or an absolute nextLink).</summary>
    public async Task<RestResult> SendAsync(RequestMethod method, string pathAndQuery, object? body, FailureContext context, CancellationToken cancellationToken, params int[] alsoAccepted) =>
        (await SendRawAsync(method, pathAndQuery, body, context, cancellationToken, alsoAccepted).ConfigureAwait(false)).Result;

    /// <summary>A GET, keeping the raw response (for operation polling).</summary>
    public Task<(RestResult Result, Response Response)> SendRawAsync(RequestMethod method, string pathAndQuery, FailureContext context, CancellationToken cancellationToken) =>
        SendRawAsync(method, pathAndQuery, null, context, cancellationToken);

    /// <summary>Starts a long-running PUT or DELETE and returns the operation to poll.</summary>
    public async Task<RestOperation> StartAsync(RequestMethod method, string resourcePath, object? body, FailureContext context, CancellationToken cancellationToken, string? apiVersion = null)
    {
        var path = $"{resourcePath}?api-version={apiVersion ?? ApiVersions.For(new ResourceIdentifier(resourcePath).ResourceType)}";
        var (result, response) = await SendRawAsync(method, path, body, context, cancellationToken).ConfigureAwait(false);
        return new RestOperation(this, path, context, result, response, method != RequestMethod.Put);
    }

    private async Task<(RestResult Result, Response Response)> SendRawAsync(RequestMethod method, string pathAndQuery, object? body, FailureContext context, CancellationToken cancellationToken, params int[] alsoAccepted)
    {
        using var message = Pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(pathAndQuery.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? new Uri(pathAndQuery) : new Uri(Endpoint, pathAndQuery));
        request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(body is string text ? Encoding.UTF8.GetBytes(text) : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType()));
        }
        else if (method == RequestMethod.Post || method == RequestMethod.Put)
        {
            request.Content = RequestContent.Create(Array.Empty<byte>());
        }
        try
        {
            await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, context);
        }
        catch (System.Net.Http.HttpRequestException e)
        {
            throw AzureErrors.Unreachable(context, e);
        }
        var response = message.Response;
        if (response.Status >= 400 && Array.IndexOf(alsoAccepted, response.Status) < 0) throw AzureErrors.From(response, context);
        var content = response.Content?.ToString() ?? "";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers) headers[header.Name] = header.Value;
        return (new RestResult(response.Status, content, headers), response);
    }
}

/// <summary>What a REST call returned: status, body text and headers.</summary>
internal sealed record RestResult(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonDocument Json() => JsonDocument.Parse(string.IsNullOrEmpty(Body) ? "{}" : Body);
}
