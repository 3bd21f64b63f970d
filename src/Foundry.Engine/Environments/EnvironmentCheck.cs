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
}

/// <summary>One check of an environment against what up made. Never carries key material; keys are compared by fingerprint.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="Check">A stable name from <see cref="EnvironmentCheckNames"/>.</param>
/// <param name="Status">Passed, Failed or Skipped.</param>
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
    /// <summary>The Key Vault exists and is provisioned.</summary>
    public const string KeyVault = nameof(KeyVault);
    /// <summary>The secret holds the active slot's key (by fingerprint) under the active slot's tag.</summary>
    public const string Secret = nameof(Secret);
    /// <summary>A deployment answers a chat completion with the key in the secret.</summary>
    public const string ChatCompletion = nameof(ChatCompletion);
    /// <summary>An app's key, endpoint and deployment settings hold what up wrote.</summary>
    public const string AppSettings = nameof(AppSettings);
    /// <summary>An app's identity holds Key Vault Secrets User on the vault.</summary>
    public const string AppRoleAssignment = nameof(AppRoleAssignment);
    /// <summary>An app resolves its key setting's Key Vault reference on the current secret version.</summary>
    public const string AppKeyVaultReference = nameof(AppKeyVaultReference);
}

/// <summary>The resource a check is about.</summary>
internal sealed record CheckTarget(string ResourceId, string Name, string ResourceGroupName);

/// <summary>What one check found.</summary>
internal sealed record CheckOutcome(CheckStatus Status, string Detail, string? RecommendedAction)
{
    public static CheckOutcome Passed(string detail) => new(CheckStatus.Passed, detail, null);

    public static CheckOutcome Failed(string detail, string recommendedAction) => new(CheckStatus.Failed, detail, recommendedAction);

    public static CheckOutcome Skipped(string why) => new(CheckStatus.Skipped, why, null);

    /// <summary>The action for drift Repair-FoundryEnvironment fixes, saying what it will do.</summary>
    public static string Repair(string environment, string what) => $"Run Repair-FoundryEnvironment -Environment {environment}: it {what}.";

    /// <summary>A resource that must exist and have finished provisioning.</summary>
    public static CheckOutcome Provisioned(bool exists, string? provisioningState, string what, string environment) =>
        !exists ? Failed($"The {what} does not exist.", $"Run New-FoundryEnvironment -Environment {environment} to create it.")
        : provisioningState is null or "Succeeded" ? Passed($"The {what} exists{(provisioningState is null ? "" : ", provisioningState Succeeded")}.")
        : Failed($"The {what} is in provisioningState {provisioningState}.", $"Wait for its operation to finish, then run Test-FoundryEnvironment -Environment {environment} again; if it stays so, run Repair-FoundryEnvironment -Environment {environment}.");
}

/// <summary>Collects the checks of one inspection; a check whose reads fail reports Failed with why, and the others still run.</summary>
internal sealed class CheckRecorder(string environment, CancellationToken cancellationToken)
{
    private readonly List<EnvironmentCheck> results = new();

    public IReadOnlyList<EnvironmentCheck> Results => results;

    public async Task<CheckStatus> RunAsync(string check, CheckTarget target, Func<Task<CheckOutcome>> evaluate)
    {
        CheckOutcome outcome;
        try
        {
            outcome = await evaluate().ConfigureAwait(false);
        }
        catch (FoundryEngineException e) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = CheckOutcome.Failed($"The check could not run: {e.Message}", e.RecommendedAction ?? "Fix the cause named in the detail, then run Test-FoundryEnvironment again.");
        }
        results.Add(new EnvironmentCheck(environment, check, outcome.Status, target.ResourceId, target.Name, target.ResourceGroupName,
            Secrets.SecretScrubber.Shared.Scrub(outcome.Detail), outcome.RecommendedAction));
        return outcome.Status;
    }

    public void Skip(string check, CheckTarget target, string why) =>
        results.Add(new EnvironmentCheck(environment, check, CheckStatus.Skipped, target.ResourceId, target.Name, target.ResourceGroupName, why, null));
}
