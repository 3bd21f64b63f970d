using System.Globalization;

namespace Foundry.Emulator.Realism;

/// <summary>
/// How hard the local cloud is. <c>fast</c> (the default, for demos and most tests) answers as if Azure had no
/// delays. <c>realistic</c> adds the delays that break tools in production: role assignments reach the data planes
/// late, Resource Graph lags Resource Manager, Key Vault deletes and purges take a while. Every duration is given in
/// Azure terms and multiplied by <see cref="TimeScale"/> (0.1 by default: a 60 s propagation takes 6 s locally).
/// </summary>
public sealed record RealismProfile
{
    public const string FastName = "fast";
    public const string RealisticName = "realistic";

    /// <summary>Environment variable choosing the profile (fast or realistic).</summary>
    public const string ProfileVariable = "FOUNDRY_EMULATOR_PROFILE";

    /// <summary>Environment variable overriding the time scale (a positive number; 1 is Azure's own pace).</summary>
    public const string TimeScaleVariable = "FOUNDRY_EMULATOR_TIME_SCALE";

    /// <summary>The realistic profile's default scale: Azure's durations shortened tenfold, as the up benchmark does.</summary>
    public const double DefaultTimeScale = 0.1;

    public string Name { get; init; } = FastName;

    /// <summary>Local duration = Azure duration × this.</summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>How long a new or deleted role assignment takes to reach Key Vault's data plane and App Service's reference resolution (Azure terms).</summary>
    public TimeSpan RoleAssignmentPropagation { get; init; }

    /// <summary>How long a change to a vault's access policies (added, changed or removed entries) takes to reach Key Vault's data plane and reference resolution (Azure terms).</summary>
    public TimeSpan AccessPolicyPropagation { get; init; }

    /// <summary>Shortest delay before Resource Graph shows a create, tag change or delete (Azure terms).</summary>
    public TimeSpan GraphIndexLagMin { get; init; }

    /// <summary>Longest such delay; each change gets a delay between the two, fixed by the resource id (Azure terms).</summary>
    public TimeSpan GraphIndexLagMax { get; init; }

    /// <summary>How long a secret deletion runs: the deleted secret is not yet readable and its name answers ObjectIsBeingDeleted (Azure terms).</summary>
    public TimeSpan SecretDeletion { get; init; }

    /// <summary>How long a secret purge runs: the name answers ObjectIsBeingDeleted meanwhile (Azure terms).</summary>
    public TimeSpan SecretPurge { get; init; }

    /// <summary>How long a deleted vault's purge (an operation with a Location to poll) runs (Azure terms).</summary>
    public TimeSpan VaultPurge { get; init; }

    /// <summary>Resource Manager's token buckets and Resource Graph's quota (enforced in realistic, refill scaled by <see cref="TimeScale"/>).</summary>
    public Throttling.ThrottlingLimits Throttling { get; init; } = Foundry.Emulator.Throttling.ThrottlingLimits.Off;

    /// <summary>
    /// Items per page of a region's models and usages lists. Azure pages both (ModelListResult and UsageListResult
    /// carry nextLink) at a size it does not document; a recorded usages list (cogsvc-cli list_usages) returned 44
    /// items on one page, so the fast profile answers 50 per page. The realistic profile answers 10, so a client that
    /// reads only the first page (and misses a model or a usage) fails under it, as it would on a subscription whose
    /// lists run to hundreds of entries.
    /// </summary>
    public int CatalogPageSize { get; init; } = 50;

    public bool IsFast => RoleAssignmentPropagation == TimeSpan.Zero && AccessPolicyPropagation == TimeSpan.Zero && GraphIndexLagMax == TimeSpan.Zero &&
                          SecretDeletion == TimeSpan.Zero && SecretPurge == TimeSpan.Zero && VaultPurge == TimeSpan.Zero;

    /// <summary>Today's behaviour: no delay anywhere.</summary>
    public static RealismProfile Fast { get; } = new();

    /// <summary>
    /// Azure's delays: role assignments and Key Vault access policies 60 s (Key Vault documents "up to 10 minutes"
    /// for RBAC; access policies lag alike, terraform-provider-azurerm#9125; a minute is the common case),
    /// Resource Graph 5–30 s, secret deletion 5 s and purge 10 s (SDK issues report ObjectIsBeingDeleted for
    /// seconds after either), vault purge 30 s.
    /// </summary>
    public static RealismProfile Realistic(double timeScale = DefaultTimeScale) => new()
    {
        Name = RealisticName,
        TimeScale = timeScale,
        RoleAssignmentPropagation = TimeSpan.FromSeconds(60),
        AccessPolicyPropagation = TimeSpan.FromSeconds(60),
        GraphIndexLagMin = TimeSpan.FromSeconds(5),
        GraphIndexLagMax = TimeSpan.FromSeconds(30),
        SecretDeletion = TimeSpan.FromSeconds(5),
        SecretPurge = TimeSpan.FromSeconds(10),
        VaultPurge = TimeSpan.FromSeconds(30),
        CatalogPageSize = 10,
        Throttling = Foundry.Emulator.Throttling.ThrottlingLimits.Azure(timeScale),
    };

    /// <summary>A profile by name (fast or realistic), with an optional time scale.</summary>
    public static RealismProfile Named(string name, double? timeScale = null) => name.Trim().ToLowerInvariant() switch
    {
        FastName => Fast,
        RealisticName => Realistic(timeScale ?? DefaultTimeScale),
        _ => throw new ArgumentException($"Unknown emulator profile '{name}': use '{FastName}' or '{RealisticName}'.", nameof(name)),
    };

    /// <summary>The profile FOUNDRY_EMULATOR_PROFILE and FOUNDRY_EMULATOR_TIME_SCALE ask for; fast when unset.</summary>
    public static RealismProfile FromEnvironment()
    {
        var name = Environment.GetEnvironmentVariable(ProfileVariable);
        return string.IsNullOrWhiteSpace(name) ? Fast : Named(name, ParseScale(Environment.GetEnvironmentVariable(TimeScaleVariable)));
    }

    /// <summary>A time scale as written in an option or variable; null when empty.</summary>
    public static double? ParseScale(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || scale <= 0 || double.IsInfinity(scale))
        {
            throw new ArgumentException($"'{text}' is not a time scale: use a positive number such as 0.1.");
        }
        return scale;
    }

    /// <summary>An Azure-term duration as it runs locally.</summary>
    public TimeSpan Local(TimeSpan azure) => TimeSpan.FromTicks((long)(azure.Ticks * TimeScale));

    /// <summary>The local Resource Graph delay for a change of this resource: between the bounds, the same for the same id.</summary>
    public TimeSpan GraphLagFor(string resourceId)
    {
        if (GraphIndexLagMax <= GraphIndexLagMin) return Local(GraphIndexLagMin);
        var spread = (GraphIndexLagMax - GraphIndexLagMin).Ticks;
        // FNV-1a of the lower-cased id: stable across processes (string.GetHashCode is not).
        var hash = 2166136261u;
        foreach (var ch in resourceId.ToLowerInvariant()) hash = (hash ^ ch) * 16777619u;
        var position = hash % 1000 / 1000.0;
        return Local(GraphIndexLagMin + TimeSpan.FromTicks((long)(spread * position)));
    }
}
