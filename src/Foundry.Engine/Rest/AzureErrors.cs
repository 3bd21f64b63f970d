using System.Net.Http;
using System.Text.Json;
using Azure;
using Azure.Core;
using Foundry.Engine.Errors;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.Rest;

/// <summary>Reads Azure's error bodies (Resource Manager, Key Vault, OpenAI shapes) into the translator's plain values.</summary>
internal static class AzureErrors
{
    public static FoundryEngineException From(Response response, FailureContext context, Exception? inner = null) =>
        AzureErrorTranslator.Translate(Read(response.Status, response.Content?.ToString(), RequestId(response)), context, inner, RetryAfter(response));

    private static TimeSpan? RetryAfter(Response response) =>
        response.Headers.TryGetValue("Retry-After", out var value) &&
        int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;

    public static FoundryEngineException From(RequestFailedException exception, FailureContext context)
    {
        var raw = exception.GetRawResponse();
        if (raw is not null) return From(raw, context, exception);
        if (exception.Status == 0) return Unreachable(context, exception);
        return AzureErrorTranslator.Translate(new AzureFailure(exception.Status, exception.ErrorCode, Scrub(FirstLine(exception.Message))), context, exception);
    }

    /// <summary>Transport failures (DNS, TLS, refused connections) after the pipeline's retries.</summary>
    public static FoundryEngineException Unreachable(FailureContext context, Exception exception) =>
        new(FailureKind.Network, EngineErrorIds.CloudUnreachable, $"Could not reach Azure to {context.Operation}: {Scrub(exception.Message)}",
            "Check the network path to the cloud endpoint (proxy, firewall, DNS) or, for the local emulator, that it is running; then run again.",
            target: context.Target, inner: exception);

    /// <summary>Runs an SDK call, turning its failures into Foundry errors.</summary>
    public static async Task<T> Guard<T>(FailureContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException e)
        {
            throw From(e, context);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(context, e);
        }
        catch (AggregateException e) when (e.InnerException is RequestFailedException or HttpRequestException)
        {
            throw e.InnerException is RequestFailedException r ? From(r, context) : Unreachable(context, e.InnerException!);
        }
    }

    internal static AzureFailure Read(int status, string? body, string? requestId)
    {
        string? code = null, message = null, innerCode = null;
        PolicyViolation? policy = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var document = JsonDocument.Parse(body!);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    code = Text(error, "code");
                    message = Text(error, "message");
                    if (error.TryGetProperty("innererror", out var innerError) && innerError.ValueKind == JsonValueKind.Object) innerCode = Text(innerError, "code");
                    else if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array && details.GetArrayLength() > 0) innerCode = Text(details[0], "code");
                    policy = PolicyOf(error);
                }
            }
            catch (JsonException)
            {
                message = body!.Length > 300 ? body.Substring(0, 300) : body;
            }
        }
        return new AzureFailure(status, code, Scrub(message ?? $"HTTP {status} with no error body."), innerCode, requestId, policy);
    }

    /// <summary>The assignment in ARM's additionalInfo of type PolicyViolation (on the error or its first detail).</summary>
    private static PolicyViolation? PolicyOf(JsonElement error)
    {
        var candidates = new List<JsonElement> { error };
        if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array) candidates.AddRange(details.EnumerateArray());
        foreach (var candidate in candidates)
        {
            if (candidate.ValueKind != JsonValueKind.Object || !candidate.TryGetProperty("additionalInfo", out var infos) || infos.ValueKind != JsonValueKind.Array) continue;
            foreach (var item in infos.EnumerateArray())
            {
                if (!string.Equals(Text(item, "type"), "PolicyViolation", StringComparison.OrdinalIgnoreCase) || !item.TryGetProperty("info", out var info)) continue;
                if (Text(info, "policyAssignmentId") is not { } id) continue;
                return new PolicyViolation(id, Text(info, "policyAssignmentName") ?? id.Substring(id.LastIndexOf('/') + 1), Text(info, "policyAssignmentDisplayName"),
                    Text(info, "policyAssignmentScope"), Text(info, "policyDefinitionId"));
            }
        }
        return null;
    }

    private static string? RequestId(Response response) =>
        response.Headers.TryGetValue("x-ms-request-id", out var id) ? id : response.Headers.TryGetValue("apim-request-id", out var apim) ? apim : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\n');
        return end < 0 ? text : text.Substring(0, end).TrimEnd('\r');
    }

    private static string Scrub(string text) => SecretScrubber.Shared.Scrub(text);
}
