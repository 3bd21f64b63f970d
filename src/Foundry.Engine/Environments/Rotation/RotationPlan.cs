using Foundry.Engine.Apps;
using Foundry.Engine.Naming;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Environments;

/// <summary>
/// What a rotation would change, for Invoke-FoundryKeyRotation -WhatIf: the inactive key regenerated, a new secret
/// version holding it, and each app refreshed onto it — the same steps <see cref="KeyRotator"/> takes, from the record
/// its WhatIf run returns (which slot is active was read from Azure; nothing was written).
/// </summary>
public static class RotationPlan
{
    /// <summary>The planned changes of a WhatIf rotation record.</summary>
    public static IReadOnlyList<PlannedChange> Of(FoundryPolicy policy, RotationRecord record)
    {
        if (policy is null) throw new ArgumentNullException(nameof(policy));
        if (record is null) throw new ArgumentNullException(nameof(record));
        var addresses = EnvironmentAddresses.For(policy, record.Environment);
        var settings = policy.For(record.Environment);
        var changes = new List<PlannedChange>
        {
            new("Regenerate", "Microsoft.CognitiveServices/accounts", record.AccountId, $"{record.NewSlot} (inactive; {record.PreviousSlot} stays valid)"),
        };
        if (addresses is not null)
        {
            changes.Add(new PlannedChange("Update", "Microsoft.KeyVault/vaults/secrets", $"{addresses.VaultId}/secrets/{addresses.SecretName}",
                $"new version holding {record.NewSlot} (current version {record.PreviousSecretVersion ?? "none"})"));
        }
        foreach (var app in settings?.Apps ?? Array.Empty<AppPolicy>())
        {
            changes.Add(new PlannedChange("Refresh", "Microsoft.Web/sites", AppOperations.IdOf(settings!.SubscriptionId, app.ResourceGroup, app.Name),
                "resolve the rotated key (the secret's latest version)"));
        }
        return changes;
    }
}
