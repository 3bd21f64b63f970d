using Foundry.Emulator.State;

namespace Foundry.Emulator.Realism;

/// <summary>
/// Azure RBAC is eventually consistent: Resource Manager shows a new assignment at once, but Key Vault and App
/// Service's reference resolution act on it only after the propagation delay, and keep honouring a deleted one for
/// as long. This is the data planes' view of the assignments.
/// </summary>
public static class RoleAssignmentPropagation
{
    public const string AssignmentType = "Microsoft.Authorization/roleAssignments";

    /// <summary>A role assignment was created: the data planes see it after the profile's delay.</summary>
    public static void Granted(LocalCloud cloud, ArmResource assignment)
    {
        var delay = cloud.Realism.Local(cloud.Realism.RoleAssignmentPropagation);
        if (delay > TimeSpan.Zero) cloud.State.RoleAssignmentsEffectiveAt[EmulatorState.Key(assignment.Id)] = cloud.Now + delay;
    }

    /// <summary>A role assignment was deleted: the data planes keep honouring it for the profile's delay, if it had reached them.</summary>
    public static void Revoked(LocalCloud cloud, ArmResource assignment)
    {
        var state = cloud.State;
        var key = EmulatorState.Key(assignment.Id);
        var hadReached = !state.RoleAssignmentsEffectiveAt.TryGetValue(key, out var effectiveAt) || effectiveAt <= cloud.Now;
        state.RoleAssignmentsEffectiveAt.Remove(key);
        var delay = cloud.Realism.Local(cloud.Realism.RoleAssignmentPropagation);
        if (hadReached && delay > TimeSpan.Zero) state.RevokedRoleAssignments.Add(new RevokedRoleAssignment { Assignment = assignment, HonouredUntil = cloud.Now + delay });
    }

    /// <summary>The assignments a data plane acts on now: those that have propagated, and deleted ones not yet forgotten.</summary>
    public static IEnumerable<ArmResource> DataPlaneView(EmulatorState state, DateTimeOffset now)
    {
        state.RevokedRoleAssignments.RemoveAll(r => r.HonouredUntil <= now);
        var live = state.Resources.Values.Where(r => r.Type == AssignmentType &&
            (!state.RoleAssignmentsEffectiveAt.TryGetValue(EmulatorState.Key(r.Id), out var at) || at <= now));
        return live.Concat(state.RevokedRoleAssignments.Select(r => r.Assignment)).ToList();
    }
}
