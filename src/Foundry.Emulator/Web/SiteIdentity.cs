using System.Text.Json.Nodes;
using Foundry.Emulator.Identity;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Web;

/// <summary>
/// A site's managed identities: its own system-assigned one, the user-assigned identities attached to it
/// (<c>identity.userAssignedIdentities</c>, each with its principalId and clientId), and which of them resolves its
/// Key Vault references (<c>properties.keyVaultReferenceIdentity</c>: "SystemAssigned", Azure's default, or the
/// resource id of an attached user-assigned identity).
/// </summary>
public static class SiteIdentity
{
    public const string SystemAssigned = "SystemAssigned";
    public const string UserAssigned = "UserAssigned";

    /// <summary>
    /// The site's identity after a PUT that sent <paramref name="requested"/>: the system-assigned principal is kept
    /// while the type keeps SystemAssigned; attached user-assigned identities must exist. Null means no identity.
    /// </summary>
    public static JsonObject? Apply(EmulatorState state, JsonObject? current, JsonNode? requested, out EmulatorResponse? error)
    {
        error = null;
        var type = requested?["type"]?.GetValue<string>();
        if (type is null || type.Equals("None", StringComparison.OrdinalIgnoreCase)) return null;
        var parts = type.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var system = parts.Contains(SystemAssigned, StringComparer.OrdinalIgnoreCase);
        var user = parts.Contains(UserAssigned, StringComparer.OrdinalIgnoreCase);
        if (!system && !user || parts.Length > (system && user ? 2 : 1))
        {
            error = AzureError.Arm(400, "BadRequest", $"The identity type '{type}' is not supported. Use SystemAssigned, UserAssigned, 'SystemAssigned, UserAssigned' or None.");
            return null;
        }
        var identity = new JsonObject { ["type"] = system && user ? "SystemAssigned, UserAssigned" : system ? SystemAssigned : UserAssigned };
        if (system)
        {
            identity["tenantId"] = state.TenantId;
            identity["principalId"] = HasSystemAssigned(current) ? current!["principalId"]!.GetValue<string>() : Guid.NewGuid().ToString();
        }
        if (user)
        {
            var attached = new JsonObject();
            var ids = (requested!["userAssignedIdentities"] as JsonObject)?.Select(p => p.Key).ToList() ?? new List<string>();
            if (ids.Count == 0)
            {
                error = AzureError.Arm(400, "BadRequest", "The identity type UserAssigned requires at least one identity in userAssignedIdentities.");
                return null;
            }
            foreach (var id in ids)
            {
                // [unverified] error code: Azure refuses a user-assigned identity that does not exist.
                if (ManagedIdentityArea.Find(state, id) is not { } found)
                {
                    error = AzureError.Arm(400, "BadRequest", $"The user-assigned identity '{id}' was not found.");
                    return null;
                }
                attached[found.Id] = new JsonObject
                {
                    ["principalId"] = found.Properties["principalId"]!.GetValue<string>(),
                    ["clientId"] = found.Properties["clientId"]!.GetValue<string>(),
                };
            }
            identity["userAssignedIdentities"] = attached;
        }
        return identity;
    }

    /// <summary>
    /// The principal that resolves the site's Key Vault references, or null (with the reason) when the identity that
    /// keyVaultReferenceIdentity names is not enabled on the site.
    /// </summary>
    public static string? ReferencePrincipal(EmulatorState state, ArmResource site, out string reason)
    {
        var chosen = site.Properties["keyVaultReferenceIdentity"]?.GetValue<string>();
        if (string.IsNullOrEmpty(chosen) || chosen.Equals(SystemAssigned, StringComparison.OrdinalIgnoreCase))
        {
            reason = "The app has no system-assigned managed identity to resolve Key Vault references.";
            return HasSystemAssigned(site.Identity) ? site.Identity!["principalId"]!.GetValue<string>() : null;
        }
        reason = $"The user-assigned identity '{chosen}' that keyVaultReferenceIdentity names is not assigned to the app.";
        var attached = (site.Identity?["userAssignedIdentities"] as JsonObject)?.FirstOrDefault(p => p.Key.Equals(chosen, StringComparison.OrdinalIgnoreCase));
        if (attached?.Key is null) return null;
        // The identity's own record: a deleted identity resolves nothing, even while the site still lists it.
        return ManagedIdentityArea.Find(state, attached.Value.Key)?.Properties["principalId"]?.GetValue<string>();
    }

    private static bool HasSystemAssigned(JsonObject? identity) =>
        identity?["principalId"] is not null && identity["type"]?.GetValue<string>()?.Contains(SystemAssigned, StringComparison.OrdinalIgnoreCase) == true;
}
