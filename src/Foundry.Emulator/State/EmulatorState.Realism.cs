namespace Foundry.Emulator.State;

// What the realistic profile remembers between requests (see Realism/): assignments on their way to the data planes,
// and deleted ones the data planes still honour.
public sealed partial class EmulatorState
{
    /// <summary>Role assignments (by lower-cased id) that the data planes see only from this time on.</summary>
    public Dictionary<string, DateTimeOffset> RoleAssignmentsEffectiveAt { get; set; } = new();

    /// <summary>Deleted role assignments that the data planes keep honouring until their time is up.</summary>
    public List<RevokedRoleAssignment> RevokedRoleAssignments { get; set; } = new();
}

/// <summary>A deleted role assignment, still cached by the data planes until <see cref="HonouredUntil"/>.</summary>
public sealed class RevokedRoleAssignment
{
    public required ArmResource Assignment { get; set; }
    public DateTimeOffset HonouredUntil { get; set; }
}
