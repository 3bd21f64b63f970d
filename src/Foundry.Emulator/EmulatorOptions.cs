using Foundry.Emulator.Realism;

namespace Foundry.Emulator;

/// <summary>How a local Azure emulator is started.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Well-known ids, so that scripts and docs can name them.</summary>
    public const string DefaultTenantId = "72f988bf-0000-4000-8000-00000000f0d1";
    public static readonly IReadOnlyList<string> DefaultSubscriptions = new[]
    {
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-8000-000000000002",
        "00000000-0000-4000-8000-000000000003",
    };

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>When set, state is loaded from and saved to this JSON file so that separate processes share one cloud.</summary>
    public string? StateFile { get; set; }

    /// <summary>When set, the endpoint and certificate thumbprint are written here for other processes to connect.</summary>
    public string? ConnectionFile { get; set; }

    public string TenantId { get; set; } = DefaultTenantId;

    public IReadOnlyList<string> Subscriptions { get; set; } = DefaultSubscriptions;

    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Keep the request log in memory (tests read it; the console host turns it off for long runs).</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>
    /// How hard the cloud is: <see cref="RealismProfile.Fast"/> (the default) or <see cref="RealismProfile.Realistic"/>
    /// (Azure's propagation, index and deletion delays, scaled). Hosts read FOUNDRY_EMULATOR_PROFILE with
    /// <see cref="RealismProfile.FromEnvironment"/>.
    /// </summary>
    public RealismProfile Realism { get; set; } = RealismProfile.Fast;

    /// <summary>
    /// Resource Manager's token buckets and Resource Graph's quota. Null (the default) takes them from
    /// <see cref="Realism"/>: headers only in fast, Azure's buckets enforced in realistic. Tests set small buckets to
    /// prove clients wait out 429 + Retry-After.
    /// </summary>
    public Throttling.ThrottlingLimits? Throttling { get; set; }

    /// <summary>
    /// The local token endpoints' configuration: federated credentials and managed identities they issue tokens for,
    /// and token lifetimes (see docs/emulator.md, "Token endpoints").
    /// </summary>
    public Identity.IdentityOptions Identity { get; set; } = new();

    /// <summary>Items per page of the models and usages lists; null takes <see cref="RealismProfile.CatalogPageSize"/>.</summary>
    public int? CatalogPageSize { get; set; }
}
