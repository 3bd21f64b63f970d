namespace Foundry.Emulator.Realism;

/// <summary>The operation durations a realism profile implies, under the keys <see cref="Control.OperationTimings"/> uses.</summary>
public static class RealismTimings
{
    public const string SecretDelete = "Microsoft.KeyVault/vaults/secrets:delete";
    public const string SecretPurge = "Microsoft.KeyVault/vaults/secrets:purge";
    public const string VaultPurge = "Microsoft.KeyVault/deletedVaults:purge";

    /// <summary>The profile's local duration for this key, or null when the profile says nothing about it.</summary>
    public static TimeSpan? For(RealismProfile profile, string key)
    {
        var azure = key switch
        {
            SecretDelete => profile.SecretDeletion,
            SecretPurge => profile.SecretPurge,
            VaultPurge => profile.VaultPurge,
            _ => TimeSpan.Zero,
        };
        return azure > TimeSpan.Zero ? profile.Local(azure) : null;
    }
}
