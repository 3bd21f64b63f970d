using Foundry.Emulator.State;

namespace Foundry.Emulator.KeyVault;

/// <summary>
/// Who may read or write a vault's secrets. RBAC vaults: a role assignment for the principal at the vault or a parent
/// scope — Key Vault Secrets User reads, Secrets Officer and Administrator read and write; Contributor and Owner grant
/// no data access. Access-policy vaults: the principal's policy must list the secret permission (get, list, set, …).
/// </summary>
public static class SecretAccess
{
    public const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    public const string SecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    public const string Administrator = "00482a5a-887f-4fb3-b363-3b7fe8e74483";

    /// <summary>The live vault with this (globally unique) name.</summary>
    public static ArmResource? LiveVault(EmulatorState state, string name) =>
        state.Resources.Values.FirstOrDefault(r => r.Type == KeyVaultManagementArea.VaultType && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <remarks>Role assignments count as the data plane sees them at <paramref name="now"/> (after propagation).</remarks>
    public static bool CanRead(EmulatorState state, ArmResource vault, string principalId, DateTimeOffset now, string permission = "get") => Allowed(state, vault, principalId, write: false, permission, now);

    public static bool CanWrite(EmulatorState state, ArmResource vault, string principalId, string permission, DateTimeOffset now) => Allowed(state, vault, principalId, write: true, permission, now);

    private static bool Allowed(EmulatorState state, ArmResource vault, string principalId, bool write, string permission, DateTimeOffset now)
    {
        if (vault.Properties["enableRbacAuthorization"]?.GetValue<bool>() == true)
        {
            var roles = write ? new[] { SecretsOfficer, Administrator } : new[] { SecretsUser, SecretsOfficer, Administrator };
            return Realism.RoleAssignmentPropagation.DataPlaneView(state, now).Any(r =>
                string.Equals(r.Properties["principalId"]?.GetValue<string>(), principalId, StringComparison.OrdinalIgnoreCase) &&
                roles.Any(role => (r.Properties["roleDefinitionId"]?.GetValue<string>() ?? "").EndsWith(role, StringComparison.OrdinalIgnoreCase)) &&
                Covers(r.Properties["scope"]?.GetValue<string>(), vault.Id));
        }
        return PoliciesOf(state, vault, principalId, now).Any(p => p?["permissions"]?["secrets"] is System.Text.Json.Nodes.JsonArray granted &&
               granted.Any(g => g?.GetValue<string>() is { } s && (s.Equals(permission, StringComparison.OrdinalIgnoreCase) || s.Equals("all", StringComparison.OrdinalIgnoreCase))));
    }

    /// <summary>
    /// Whether an access-policy vault's data plane knows the principal at all (an entry for it has propagated): Key
    /// Vault words its 403 differently for a caller on no policy and for one whose policy lacks the permission.
    /// </summary>
    public static bool OnAnAccessPolicy(EmulatorState state, ArmResource vault, string principalId, DateTimeOffset now) =>
        PoliciesOf(state, vault, principalId, now).Any();

    /// <remarks>Access policies count as the data plane sees them at <paramref name="now"/> (after propagation).</remarks>
    private static IEnumerable<System.Text.Json.Nodes.JsonNode?> PoliciesOf(EmulatorState state, ArmResource vault, string principalId, DateTimeOffset now) =>
        Realism.AccessPolicyPropagation.DataPlaneView(state, vault, now)?
            .Where(p => string.Equals(p?["objectId"]?.GetValue<string>(), principalId, StringComparison.OrdinalIgnoreCase)) ?? Enumerable.Empty<System.Text.Json.Nodes.JsonNode?>();

    /// <summary>An assignment at a scope covers that scope and everything under it.</summary>
    public static bool Covers(string? scope, string resourceId)
    {
        if (string.IsNullOrEmpty(scope)) return false;
        var s = scope.TrimEnd('/');
        return resourceId.Equals(s, StringComparison.OrdinalIgnoreCase) || resourceId.StartsWith(s + "/", StringComparison.OrdinalIgnoreCase);
    }
}
