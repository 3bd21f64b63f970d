using System.Text.Json.Nodes;
using Foundry.Emulator.Routing;

namespace Foundry.Emulator.Control;

/// <summary>Turns a fault rule into the error the real service sends for that code on that surface.</summary>
internal static class FaultResponses
{
    public static EmulatorResponse For(FaultRule fault, ServiceKind service, string path)
    {
        var message = fault.Message ?? DefaultMessage(fault, path);
        var response = service switch
        {
            ServiceKind.KeyVault => AzureError.KeyVault(fault.Status, fault.Code, message),
            ServiceKind.OpenAI => AzureError.OpenAI(fault.Status, fault.Code, message),
            _ when fault.Code == "RateLimiting" => AzureError.Arm(fault.Status, "RateLimiting", message, new JsonArray
            {
                new JsonObject { ["code"] = "RateLimiting", ["message"] = "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help." },
            }),
            _ => AzureError.Arm(fault.Status, fault.Code, message),
        };
        if (fault.RetryAfterSeconds is { } seconds) response.WithHeader("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (fault.Code == "RateLimiting")
        {
            response.WithHeader("x-ms-user-quota-remaining", "0");
            response.WithHeader("x-ms-user-quota-resets-after", TimeSpan.FromSeconds(fault.RetryAfterSeconds ?? 5).ToString(@"hh\:mm\:ss"));
        }
        return response;
    }

    private static string DefaultMessage(FaultRule fault, string path) => fault.Code switch
    {
        "TooManyRequests" => "The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:05:00. For more information, see - https://aka.ms/armthrottling",
        "RateLimiting" => "Please provide below info when asking for support: timestamp = " + DateTime.UtcNow.ToString("o") + ", correlationId = " + Guid.NewGuid() + ".",
        "AuthorizationFailed" => $"The client '{fault.Principal ?? "unknown"}' with object id '{fault.Principal ?? "unknown"}' does not have authorization to perform action on scope '{path}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
        "RequestConflict" => "Another operation is being performed on the parent resource. Please try again later.",
        "InsufficientQuota" => "This operation require 10 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than the current available capacity 0. The current quota usage is 530 and the quota limit is 530 for quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard.",
        "ServiceUnavailable" => "The service is unavailable right now. Please retry the request later.",
        "ScopeLocked" => $"The scope '{path}' cannot perform delete operation because following scope(s) are locked: '{path}'. Please remove the lock and try again.",
        _ => fault.Status >= 500 ? "The server encountered an internal error. Please retry the request." : $"Injected fault {fault.Code}.",
    };
}
