namespace Foundry.Engine.Environments;

/// <summary>The resource a check is about.</summary>
internal sealed record CheckTarget(string ResourceId, string Name, string ResourceGroupName);

/// <summary>What one check found.</summary>
internal sealed record CheckOutcome(CheckStatus Status, string Detail, string? RecommendedAction)
{
    public static CheckOutcome Passed(string detail) => new(CheckStatus.Passed, detail, null);

    public static CheckOutcome Failed(string detail, string recommendedAction) => new(CheckStatus.Failed, detail, recommendedAction);

    public static CheckOutcome Skipped(string why) => new(CheckStatus.Skipped, why, null);

    public static CheckOutcome Warning(string detail, string recommendedAction) => new(CheckStatus.Warning, detail, recommendedAction);

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
