namespace Foundry.Emulator.State;

// State shared across areas. Each area owns its part; others read it through these shapes:
// the Web area resolves Key Vault references from Vaults and RoleAssignments (ArmResources), and the
// OpenAI area authenticates with AccountKeys.
public sealed partial class EmulatorState
{
    /// <summary>AI account keys by lower-cased account resource id.</summary>
    public Dictionary<string, AccountKeys> AccountKeys { get; set; } = new();

    /// <summary>Soft-deleted AI accounts by lower-cased original account id.</summary>
    public Dictionary<string, DeletedAccount> DeletedAccounts { get; set; } = new();

    /// <summary>Key Vault data-plane content by lower-cased vault name (vault names are globally unique).</summary>
    public Dictionary<string, VaultContent> Vaults { get; set; } = new();

    /// <summary>App settings of each site by lower-cased site resource id.</summary>
    public Dictionary<string, Dictionary<string, string>> AppSettings { get; set; } = new();

    /// <summary>Slot settings of each site (config/slotConfigNames: names that stay with the slot in a swap) by lower-cased site resource id.</summary>
    public Dictionary<string, SlotConfigNames> SlotConfigNames { get; set; } = new();

    /// <summary>The secret value a site last resolved per setting (site id → setting → resolved reference).</summary>
    public Dictionary<string, Dictionary<string, ResolvedReference>> ResolvedReferences { get; set; } = new();
}

/// <summary>A site's slot settings: app settings, connection strings and storage mounts that stay with the slot when slots swap.</summary>
public sealed class SlotConfigNames
{
    public List<string>? AppSettingNames { get; set; }
    public List<string>? ConnectionStringNames { get; set; }
    public List<string>? AzureStorageConfigNames { get; set; }
}

/// <summary>The two keys of an AI account.</summary>
public sealed class AccountKeys
{
    public required string Key1 { get; set; }
    public required string Key2 { get; set; }
}

/// <summary>A soft-deleted AI account: its last body, and when it was deleted and will be purged.</summary>
public sealed class DeletedAccount
{
    public required ArmResource Account { get; set; }
    public required AccountKeys Keys { get; set; }
    /// <summary>Its deployments: a soft-deleted account keeps consuming their quota until purged.</summary>
    public List<ArmResource> Deployments { get; set; } = new();
    public DateTimeOffset DeletionDate { get; set; }
    public DateTimeOffset ScheduledPurgeDate { get; set; }
}

/// <summary>A vault's secrets (live and soft-deleted).</summary>
public sealed class VaultContent
{
    public Dictionary<string, SecretEntry> Secrets { get; set; } = new();
}

/// <summary>One secret name: its versions, oldest first, and its deletion when soft-deleted.</summary>
public sealed class SecretEntry
{
    public required string Name { get; set; }
    public List<SecretVersion> Versions { get; set; } = new();
    public DateTimeOffset? DeletedDate { get; set; }
    public DateTimeOffset? ScheduledPurgeDate { get; set; }
    /// <summary>When a deletion in progress completes (Key Vault deletes asynchronously; until then the name is "being deleted").</summary>
    public DateTimeOffset? DeletionCompletesAt { get; set; }
    /// <summary>When a purge in progress completes and the name is free; until then it is "being deleted" (realistic profile).</summary>
    public DateTimeOffset? PurgeCompletesAt { get; set; }
    public bool IsDeleted => DeletedDate is not null;
    /// <summary>The newest version by creation (what a versionless GET returns).</summary>
    public SecretVersion? Latest => Versions.Count == 0 ? null : Versions[^1];
}

/// <summary>One version of a secret.</summary>
public sealed class SecretVersion
{
    /// <summary>32 lower-case hex characters.</summary>
    public required string Version { get; set; }
    public required string Value { get; set; }
    public string? ContentType { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
    public bool Enabled { get; set; } = true;
    public long? NotBefore { get; set; }
    public long? Expires { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
}

/// <summary>What an app currently holds for one Key Vault reference setting (apps cache until refreshed).</summary>
public sealed class ResolvedReference
{
    public required string Status { get; set; }
    public string? VaultName { get; set; }
    public string? SecretName { get; set; }
    /// <summary>The version the reference names (null for a versionless reference).</summary>
    public string? SecretVersion { get; set; }
    /// <summary>The version the app actually resolved.</summary>
    public string? ActiveVersion { get; set; }
    public string? Reference { get; set; }
    public string? Details { get; set; }
    /// <summary>The value the app uses; never served by any endpoint but the simulated app client.</summary>
    public string? Value { get; set; }
    public DateTimeOffset ResolvedAt { get; set; }
}
