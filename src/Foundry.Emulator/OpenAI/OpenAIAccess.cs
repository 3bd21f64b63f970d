using System.Text.Json;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Realism;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.OpenAI;

/// <summary>
/// Who may call an account's OpenAI data plane with an Entra token: a principal holding Cognitive Services OpenAI
/// User, OpenAI Contributor or Cognitive Services User at the account or a parent scope, once the assignment has
/// propagated to the data plane (as Key Vault sees it). Contributor and Owner carry no data actions, so they do not
/// count. The token must be issued for Cognitive Services.
/// </summary>
internal static class OpenAIAccess
{
    public const string OpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
    public const string OpenAIContributor = "a001fd3d-188f-4b5d-821b-7da978bf7442";
    public const string CognitiveServicesUser = "a97b65f3-24c7-4388-baec-2e87135dc908";
    public const string Audience = "https://cognitiveservices.azure.com";

    private static readonly string[] DataRoles = [OpenAIUser, OpenAIContributor, CognitiveServicesUser];

    private const string WrongAudience = "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.";

    /// <summary>Azure's refusal of this bearer call to <paramref name="operation"/> (e.g. "chat/completions"), or null when it may proceed.</summary>
    public static EmulatorResponse? Refuse(RequestContext c, ArmResource account, string operation)
    {
        if (!AudienceAccepted(c.Http.Request.Headers.Authorization.ToString()[7..].Trim())) return AzureError.OpenAI(401, "401", WrongAudience);
        var principal = EmulatorPipeline.PrincipalOf(c.Http.Request);
        if (Holds(c.State, account, principal, c.Now)) return null;
        // Wording verified for chat/completions (401, quoted from real runs in public repos); for embeddings the status,
        // code and data action (Cognitive Services OpenAI User's dataActions) are verified, the sentence follows the chat one [assumption].
        return AzureError.OpenAI(401, "PermissionDenied",
            $"The principal `{principal}` lacks the required data action `Microsoft.CognitiveServices/accounts/OpenAI/deployments/{operation}/action` to perform `POST /openai/deployments/{{deployment-id}}/{operation}` operation.");
    }

    /// <remarks>Role assignments count as the data plane sees them at <paramref name="now"/> (after propagation).</remarks>
    public static bool Holds(EmulatorState state, ArmResource account, string principalId, DateTimeOffset now) =>
        RoleAssignmentPropagation.DataPlaneView(state, now).Any(r =>
            string.Equals(r.Properties["principalId"]?.GetValue<string>(), principalId, StringComparison.OrdinalIgnoreCase) &&
            DataRoles.Any(role => (r.Properties["roleDefinitionId"]?.GetValue<string>() ?? "").EndsWith(role, StringComparison.OrdinalIgnoreCase)) &&
            KeyVault.SecretAccess.Covers(r.Properties["scope"]?.GetValue<string>(), account.Id));

    /// <summary>
    /// A JWT must name Cognitive Services in its aud claim. The emulator's plain tokens (the principal's id itself)
    /// carry no audience, so they are taken as issued for whichever service they reach.
    /// </summary>
    private static bool AudienceAccepted(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return true;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var claims = JsonDocument.Parse(Convert.FromBase64String(payload));
            if (!claims.RootElement.TryGetProperty("aud", out var aud)) return false;
            var audiences = aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Select(a => a.GetString()) : [aud.GetString()];
            return audiences.Any(a => string.Equals(a?.TrimEnd('/'), Audience, StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return true; // Not a JWT after all: a plain token, as PrincipalOf reads it.
        }
    }
}
