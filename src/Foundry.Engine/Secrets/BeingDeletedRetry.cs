using System.Text.Json;
using Azure;
using Foundry.Engine.Rest;
using Polly;

namespace Foundry.Engine.Secrets;

/// <summary>
/// Key Vault deletes and purges secrets asynchronously: for seconds afterwards a set, recover or purge of the name
/// answers 409 Conflict with inner code ObjectIsBeingDeleted (azure-sdk-for-net#34322, terraform-provider-azurerm#10454).
/// Such a call is retried with exponential backoff until the deletion is done; any other failure passes through.
/// </summary>
internal static class BeingDeletedRetry
{
    public const string InnerCode = "ObjectIsBeingDeleted";

    /// <remarks>Starting at the polling interval (2 s against Azure), capped at 15 s between tries: about 90 s in all.</remarks>
    public static ResiliencePipeline Create(TimeSpan firstDelay, int maxAttempts = 9) =>
        BoundedBackoff.Create<RequestFailedException>(IsBeingDeleted, firstDelay, TimeSpan.FromSeconds(15), maxAttempts);

    public static bool IsBeingDeleted(RequestFailedException e)
    {
        if (e.Status != 409 || e.GetRawResponse() is not { } response) return false;
        try
        {
            using var body = JsonDocument.Parse(response.Content.ToMemory());
            return body.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("innererror", out var inner) &&
                   inner.ValueKind == JsonValueKind.Object && inner.TryGetProperty("code", out var code) && code.GetString() == InnerCode;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
