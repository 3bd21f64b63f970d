namespace Foundry.Emulator.State;

public sealed partial class EmulatorState
{
    /// <summary>Soft-deleted vaults by lower-cased name (vault names are global).</summary>
    public Dictionary<string, DeletedVault> DeletedVaults { get; set; } = new();
}

/// <summary>A soft-deleted vault; its secrets stay in <see cref="EmulatorState.Vaults"/> until it is purged.</summary>
public sealed class DeletedVault
{
    public required ArmResource Vault { get; set; }
    public DateTimeOffset DeletionDate { get; set; }
    public DateTimeOffset ScheduledPurgeDate { get; set; }
}
