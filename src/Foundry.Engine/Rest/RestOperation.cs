using System.Text.Json;
using Azure;
using Azure.Core;
using Foundry.Engine.Errors;

namespace Foundry.Engine.Rest;

/// <summary>
/// Resource Manager's long-running operation protocol for requests sent through <see cref="ArmRestClient"/> (resources
/// GenericResource cannot shape, such as model deployments, which have no location): poll Azure-AsyncOperation when
/// given, else Location (202 while running), else the resource's provisioningState. Terminal states are Succeeded,
/// Failed and Canceled; a Failed status raises the operation's own error code.
/// </summary>
internal sealed class RestOperation : Operation
{
    private readonly ArmRestClient rest;
    private readonly string resourcePath;
    private readonly FailureContext context;
    private readonly string? asyncOperationUrl;
    private readonly string? locationUrl;
    private Response lastResponse;
    private bool completed;

    public RestOperation(ArmRestClient rest, string resourcePath, FailureContext context, RestResult initial, Response initialResponse, bool isDelete)
    {
        this.rest = rest;
        this.resourcePath = resourcePath;
        this.context = context;
        lastResponse = initialResponse;
        asyncOperationUrl = initial.Headers.TryGetValue("Azure-AsyncOperation", out var async) ? async : null;
        locationUrl = initial.Headers.TryGetValue("Location", out var location) ? location : null;
        completed = asyncOperationUrl is null && locationUrl is null &&
                    (isDelete || initial.Status == 204 || ProvisioningState(initial.Body) is null or "Succeeded");
        if (ProvisioningState(initial.Body) is "Failed" or "Canceled") throw Failed(ProvisioningState(initial.Body)!, null, null);
    }

    public override string Id => asyncOperationUrl ?? locationUrl ?? resourcePath;

    public override bool HasCompleted => completed;

    public override Response GetRawResponse() => lastResponse;

    public override Response UpdateStatus(CancellationToken cancellationToken = default) =>
        UpdateStatusAsync(cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<Response> UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        if (completed) return lastResponse;
        if (asyncOperationUrl is not null)
        {
            var poll = await rest.SendRawAsync(RequestMethod.Get, asyncOperationUrl, context, cancellationToken).ConfigureAwait(false);
            lastResponse = poll.Response;
            using var json = poll.Result.Json();
            var status = json.RootElement.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status is "Failed" or "Canceled")
            {
                var error = json.RootElement.TryGetProperty("error", out var e) ? e : default;
                throw Failed(status, Text(error, "code"), Text(error, "message"));
            }
            completed = status == "Succeeded";
        }
        else if (locationUrl is not null)
        {
            var poll = await rest.SendRawAsync(RequestMethod.Get, locationUrl, context, cancellationToken).ConfigureAwait(false);
            lastResponse = poll.Response;
            completed = poll.Result.Status != 202;
        }
        else
        {
            var poll = await rest.SendRawAsync(RequestMethod.Get, resourcePath, context, cancellationToken).ConfigureAwait(false);
            lastResponse = poll.Response;
            var state = ProvisioningState(poll.Result.Body);
            if (state is "Failed" or "Canceled") throw Failed(state, null, null);
            completed = state is null or "Succeeded";
        }
        return lastResponse;
    }

    private FoundryEngineException Failed(string status, string? code, string? message) =>
        new(FailureKind.Unknown, EngineErrorIds.OperationFailed,
            $"The operation to {context.Operation} ended {status}{(code is null ? "" : $" with {code}")}: {Secrets.SecretScrubber.Shared.Scrub(message ?? "no details")}",
            "Read the error code above; fix its cause, then run again (Foundry commands resume where they stopped).",
            errorCode: code, target: context.Target);

    private static string? ProvisioningState(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("properties", out var p) &&
                   p.ValueKind == JsonValueKind.Object && p.TryGetProperty("provisioningState", out var s) ? s.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
