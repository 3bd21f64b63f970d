namespace Foundry.Engine.Environments;

/// <summary>One change a command plans or made: what, to which resource, and why.</summary>
/// <param name="Action">Create, Update, Assign, Refresh, Restore, Purge, Delete, Regenerate.</param>
/// <param name="ResourceType">Azure resource type (or "secret", "app setting").</param>
/// <param name="Target">Resource id or secret URI.</param>
/// <param name="Reason">Why it is needed ("missing", "capacity 10 → 20"…).</param>
public sealed record PlannedChange(string Action, string ResourceType, string Target, string Reason);

/// <summary>An app wired to the environment's key.</summary>
/// <param name="Name">Site name.</param>
/// <param name="ResourceId">Site id.</param>
/// <param name="KeySetting">The app setting holding the Key Vault reference.</param>
/// <param name="ReferenceStatus">Resolved, AccessToKeyVaultDenied…</param>
/// <param name="ResolvedSecretVersion">The secret version the app currently uses.</param>
public sealed record EnvironmentApp(string Name, string ResourceId, string KeySetting, string? ReferenceStatus, string? ResolvedSecretVersion);

/// <summary>A deployment on the environment's account, with its model version's retirement date.</summary>
/// <param name="Name">Deployment name.</param>
/// <param name="Model">Model name.</param>
/// <param name="Version">Model version.</param>
/// <param name="VersionUpgradeOption">As deployed.</param>
/// <param name="RetiresOn">The version's retirement date (the models list's deprecation.inference); null when none is published or it could not be read.</param>
/// <param name="DaysLeft">Whole days until then (negative once retired), as of the server's clock.</param>
/// <param name="Sku">The deployment's SKU name (Standard, GlobalStandard, ProvisionedManaged, …).</param>
/// <param name="Capacity">The deployment's capacity in its SKU's units.</param>
public sealed record EnvironmentDeployment(string Name, string Model, string Version, string? VersionUpgradeOption, DateTimeOffset? RetiresOn, int? DaysLeft,
    string? Sku = null, int? Capacity = null);

/// <summary>An environment's resources as read back from Azure.</summary>
public sealed record EnvironmentInfo(
    string Environment,
    string SubscriptionId,
    string ResourceGroupName,
    string ResourceId,
    string AccountName,
    string? AccountId,
    string? Location,
    string? Endpoint,
    IReadOnlyList<string> Deployments,
    string KeyVaultName,
    string SecretName,
    string? SecretUri,
    string? SecretVersion,
    string? ActiveKeySlot,
    IReadOnlyList<EnvironmentApp> Apps,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<EnvironmentDeployment>? DeploymentDetails = null)
{
    /// <summary>"keys" or "entra", as the account is wired (its foundry-auth tag); null when there is no account.</summary>
    public string? Auth { get; init; }
}

/// <summary>What New-FoundryEnvironment did (or, with WhatIf, would do).</summary>
public sealed record ProvisionResult(EnvironmentInfo Environment, IReadOnlyList<PlannedChange> Changes, bool WhatIf, string RunId);
