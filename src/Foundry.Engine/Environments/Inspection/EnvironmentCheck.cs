namespace Foundry.Engine.Environments;

/// <summary>The outcome of one check.</summary>
public enum CheckStatus
{
    /// <summary>The environment is as up left it.</summary>
    Passed,
    /// <summary>It drifted, or the check could not run.</summary>
    Failed,
    /// <summary>Not checked, because what it checks depends on something that already failed.</summary>
    Skipped,
    /// <summary>Working now, but needs attention soon (a model version inside the retirement warning window).</summary>
    Warning,
}

/// <summary>One check of an environment against what up made. Never carries key material; keys are compared by fingerprint.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="Check">A stable name from <see cref="EnvironmentCheckNames"/>.</param>
/// <param name="Status">Passed, Failed, Skipped or Warning.</param>
/// <param name="ResourceId">What was checked (ARM id, or the secret's URI).</param>
/// <param name="Name">Its name.</param>
/// <param name="ResourceGroupName">Its resource group.</param>
/// <param name="Detail">What was found.</param>
/// <param name="RecommendedAction">What to do when it did not pass.</param>
public sealed record EnvironmentCheck(string Environment, string Check, CheckStatus Status, string ResourceId, string Name, string ResourceGroupName, string Detail, string? RecommendedAction);

/// <summary>The stable names of the checks Test-FoundryEnvironment runs (docs/drift.md explains each).</summary>
public static class EnvironmentCheckNames
{
    /// <summary>The environment's resource group exists and is provisioned.</summary>
    public const string ResourceGroup = nameof(ResourceGroup);
    /// <summary>The AI account exists and is provisioned.</summary>
    public const string Account = nameof(Account);
    /// <summary>A policy deployment exists, is provisioned and matches the policy.</summary>
    public const string Deployment = nameof(Deployment);
    /// <summary>A deployment's model version is not retired, nor inside the policy's retirement warning window.</summary>
    public const string DeploymentRetirement = nameof(DeploymentRetirement);
    /// <summary>The Key Vault exists and is provisioned.</summary>
    public const string KeyVault = nameof(KeyVault);
    /// <summary>The secret holds the active slot's key (by fingerprint) under the active slot's tag.</summary>
    public const string Secret = nameof(Secret);
    /// <summary>A deployment answers a chat completion with the key in the secret (keyless environments: with the operator's Entra token).</summary>
    public const string ChatCompletion = nameof(ChatCompletion);
    /// <summary>An app's key, endpoint and deployment settings hold what up wrote.</summary>
    public const string AppSettings = nameof(AppSettings);
    /// <summary>An app's identity holds Key Vault Secrets User on the vault (keyless environments: Cognitive Services OpenAI User on the account).</summary>
    public const string AppRoleAssignment = nameof(AppRoleAssignment);
    /// <summary>Keyless environments: key authentication is off on the account (disableLocalAuth true).</summary>
    public const string LocalAuth = nameof(LocalAuth);
    /// <summary>An app resolves its key setting's Key Vault reference on the current secret version.</summary>
    public const string AppKeyVaultReference = nameof(AppKeyVaultReference);
}
