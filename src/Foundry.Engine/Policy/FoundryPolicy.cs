namespace Foundry.Engine.Policy;

/// <summary>The policy file: one app, its environments (pr-* is the template for PR environments).</summary>
public sealed class FoundryPolicy
{
    /// <summary>Creates a policy.</summary>
    public FoundryPolicy(string app, string environmentNamePattern, IReadOnlyDictionary<string, EnvironmentPolicy> environments, string? sourcePath)
    {
        App = app;
        EnvironmentNamePattern = environmentNamePattern;
        Environments = environments;
        SourcePath = sourcePath;
    }

    /// <summary>The default pattern environment names must match: dev, staging or pr-&lt;digits&gt;.</summary>
    public const string DefaultEnvironmentNamePattern = "^(dev|staging|pr-[0-9]{1,7})$";

    /// <summary>Short app name used in resource names (2–16 lower-case letters and digits).</summary>
    public string App { get; }

    /// <summary>Regex environment names must match.</summary>
    public string EnvironmentNamePattern { get; }

    /// <summary>Environments by name as written in the file ("dev", "staging", "pr-*").</summary>
    public IReadOnlyDictionary<string, EnvironmentPolicy> Environments { get; }

    /// <summary>
    /// Whether <paramref name="environment"/> matches <see cref="EnvironmentNamePattern"/>. Names read back from Azure
    /// can be anything, so the match is bounded (1 s) and a match that runs out counts as no match.
    /// </summary>
    public bool IsEnvironmentName(string environment)
    {
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(environment, EnvironmentNamePattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Where the policy was read from, for messages.</summary>
    public string? SourcePath { get; }

    /// <summary>
    /// The policy of <paramref name="environment"/>: its own entry, else the first wildcard entry whose prefix
    /// matches ("pr-*" serves pr-123), else null.
    /// </summary>
    public EnvironmentPolicy? For(string environment)
    {
        if (Environments.TryGetValue(environment, out var exact)) return exact;
        foreach (var entry in Environments)
        {
            if (entry.Key.EndsWith("*", StringComparison.Ordinal) &&
                environment.StartsWith(entry.Key.Substring(0, entry.Key.Length - 1), StringComparison.Ordinal))
            {
                return entry.Value;
            }
        }
        return null;
    }
}

/// <summary>What one environment is made of and how it is run.</summary>
public sealed class EnvironmentPolicy
{
    /// <summary>The subscription the environment lives in.</summary>
    public required string SubscriptionId { get; init; }
    /// <summary>The preferred region.</summary>
    public required string Location { get; init; }
    /// <summary>Approved regions to fall back to, in order, when the preferred one lacks quota or the model.</summary>
    public IReadOnlyList<string> FallbackLocations { get; init; } = Array.Empty<string>();
    /// <summary>OpenAI or AIServices.</summary>
    public string AccountKind { get; init; } = "OpenAI";
    /// <summary>The approved model deployments.</summary>
    public required IReadOnlyList<DeploymentPolicy> Deployments { get; init; }
    /// <summary>Tags every resource must carry, beside Foundry's own.</summary>
    public IReadOnlyDictionary<string, string> RequiredTags { get; init; } = new Dictionary<string, string>();
    /// <summary>The Key Vault: created per environment, or an existing one.</summary>
    public required KeyVaultPolicy KeyVault { get; init; }
    /// <summary>The Key Vault secret holding the key (letters, digits and hyphens only).</summary>
    public string SecretName { get; init; } = "AZURE-OPENAI-API-KEY";
    /// <summary>The server apps to wire.</summary>
    public IReadOnlyList<AppPolicy> Apps { get; init; } = Array.Empty<AppPolicy>();
    /// <summary>Ephemeral environments (PR) are purged on removal and get no purge protection.</summary>
    public bool Ephemeral { get; init; }
    /// <summary>What removal purges.</summary>
    public required PurgePolicy Purge { get; init; }
    /// <summary>How close to retirement the deployments' model versions may be.</summary>
    public RetirementPolicy Retirement { get; init; } = new();
    /// <summary>How long rotation waits for every app to resolve the new secret version.</summary>
    public TimeSpan RefreshTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How the apps authenticate to the deployments: the account key through Key Vault, or their managed identity.</summary>
    public AuthModel Auth { get; init; } = AuthModel.Keys;
}

/// <summary>How an environment's apps call its deployments.</summary>
public enum AuthModel
{
    /// <summary>The account key, kept in Key Vault and read by the apps through a Key Vault reference (rotated by Foundry).</summary>
    Keys,
    /// <summary>The app's managed identity with Cognitive Services OpenAI User on the account; the account's keys are disabled.</summary>
    Entra,
}

/// <summary>One approved model deployment.</summary>
/// <param name="Name">Deployment name (what apps call).</param>
/// <param name="Model">Model name, e.g. gpt-4o.</param>
/// <param name="Version">Model version, e.g. 2024-08-06.</param>
/// <param name="Sku">Standard, GlobalStandard, DataZoneStandard or ProvisionedManaged.</param>
/// <param name="Capacity">Thousands of tokens per minute (or PTUs for provisioned).</param>
/// <param name="VersionUpgradeOption">NoAutoUpgrade (Foundry's default: the version is pinned), OnceNewDefaultVersionAvailable
/// or OnceCurrentVersionExpired; sent on create and on every update.</param>
public sealed record DeploymentPolicy(string Name, string Model, string Version, string Sku, int Capacity, string VersionUpgradeOption = DeploymentPolicy.DefaultVersionUpgradeOption)
{
    /// <summary>What Foundry sends when the policy names no upgrade option: the version stays as approved.</summary>
    public const string DefaultVersionUpgradeOption = "NoAutoUpgrade";

    /// <summary>The values Azure accepts for properties.versionUpgradeOption.</summary>
    public static readonly IReadOnlyList<string> VersionUpgradeOptions = new[] { "NoAutoUpgrade", "OnceNewDefaultVersionAvailable", "OnceCurrentVersionExpired" };
}

/// <summary>How close to its model version's retirement a deployment may be.</summary>
/// <param name="RefuseWithinDays">Up refuses a version retired or retiring within this many days.</param>
/// <param name="WarnWithinDays">Up warns, and Test-FoundryEnvironment reports Warning, within this many days.</param>
public sealed record RetirementPolicy(int RefuseWithinDays = RetirementPolicy.DefaultRefuseWithinDays, int WarnWithinDays = RetirementPolicy.DefaultWarnWithinDays)
{
    /// <summary>Azure's last notice comes at least 30 days before a retirement.</summary>
    public const int DefaultRefuseWithinDays = 30;
    /// <summary>Azure gives at least 60 days' notice for GA models; 90 days leaves a month more to test a new version.</summary>
    public const int DefaultWarnWithinDays = 90;
}

/// <summary>The environment's Key Vault.</summary>
/// <param name="Create">Create one per environment (named by Foundry) rather than use an existing one.</param>
/// <param name="Name">The existing vault's name.</param>
/// <param name="ResourceGroup">The existing vault's resource group.</param>
/// <param name="AccessPolicies">On an existing access-policy vault (enableRbacAuthorization false): add the policies
/// the app and the operator need, or refuse before any write.</param>
public sealed record KeyVaultPolicy(bool Create, string? Name, string? ResourceGroup, VaultAccessPolicyMode AccessPolicies = VaultAccessPolicyMode.Add);

/// <summary>What up does on an existing vault authorized by access policies rather than RBAC.</summary>
public enum VaultAccessPolicyMode
{
    /// <summary>Add the missing permissions (PUT accessPolicies/add: other principals' policies are kept).</summary>
    Add,
    /// <summary>Change no access policy: stop before any write when one is missing (the vault's owners grant them).</summary>
    Refuse,
}

/// <summary>A server app (Function App) that reads the key through a Key Vault reference.</summary>
/// <param name="Name">Site name.</param>
/// <param name="ResourceGroup">Its resource group.</param>
/// <param name="KeySetting">App setting for the key reference (default AZURE_OPENAI_API_KEY).</param>
/// <param name="EndpointSetting">App setting for the endpoint.</param>
/// <param name="DeploymentSetting">App setting for the deployment name.</param>
/// <param name="Shared">The app is meant to be wired by more than one environment (each owning the settings it wrote
/// last); without it, up refuses an app another environment has wired (AppOwnedByOtherEnvironment).</param>
/// <param name="ClientIdSetting">Under auth "entra", the app setting that names the user-assigned identity's client id
/// (AZURE_CLIENT_ID: what DefaultAzureCredential and ManagedIdentityCredential read); unused for a system-assigned identity.</param>
public sealed record AppPolicy(string Name, string ResourceGroup, string KeySetting, string EndpointSetting, string DeploymentSetting, bool Shared = false,
    string ClientIdSetting = "AZURE_CLIENT_ID");

/// <summary>What removal purges (so names can be reused), and what creation does with soft-deleted names.</summary>
/// <param name="Account">Purge the soft-deleted AI account.</param>
/// <param name="Secret">Purge the deleted secret.</param>
/// <param name="RestoreSoftDeleted">On create, restore a soft-deleted account of the same name instead of failing.</param>
public sealed record PurgePolicy(bool Account, bool Secret, bool RestoreSoftDeleted);
