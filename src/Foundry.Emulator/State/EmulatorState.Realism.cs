namespace Foundry.Emulator.State;

// What the realistic profile remembers between requests (see Realism/): assignments and access policies on their way
// to the data planes, and deleted assignments the data planes still honour.
public sealed partial class EmulatorState
{
    /// <summary>Role assignments (by lower-cased id) that the data planes see only from this time on.</summary>
    public Dictionary<string, DateTimeOffset> RoleAssignmentsEffectiveAt { get; set; } = new();

    /// <summary>Deleted role assignments that the data planes keep honouring until their time is up.</summary>
    public List<RevokedRoleAssignment> RevokedRoleAssignments { get; set; } = new();

    /// <summary>Per vault (lower-cased id), access-policy sets on their way to the data plane, oldest first (see Realism/AccessPolicyPropagation).</summary>
    public Dictionary<string, List<AccessPolicySnapshot>> AccessPolicyHistory { get; set; } = new();
}

/// <summary>A vault's access policies as the data plane acts on them from <see cref="EffectiveFrom"/> on.</summary>
public sealed class AccessPolicySnapshot
{
    public DateTimeOffset EffectiveFrom { get; set; }
    public required System.Text.Json.Nodes.JsonArray Policies { get; set; }
}

/// <summary>A deleted role assignment, still cached by the data planes until <see cref="HonouredUntil"/>.</summary>
public sealed class RevokedRoleAssignment
{
    public required ArmResource Assignment { get; set; }
    public DateTimeOffset HonouredUntil { get; set; }
}
