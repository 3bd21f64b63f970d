using Foundry.Engine.Accounts;
using Foundry.Engine.Audit;
using Foundry.Engine.Deployments;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;
using static Foundry.Engine.Environments.EnvironmentCheckNames;

using Foundry.Engine.Errors;

namespace Foundry.Engine.Environments;

/// <summary>
/// Test-FoundryEnvironment: checks, with reads only, that an environment is still as up made it — resources provisioned,
/// a deployment answering with the key in the secret, the secret on the active key, and every app's settings, role and
/// reference. One result per check; a check whose prerequisite did not pass is Skipped with why.
/// </summary>
public sealed class EnvironmentInspector
{
    private readonly EngineServices services;

    internal EnvironmentInspector(EngineServices services) => this.services = services;

    /// <summary>Every check of <paramref name="environment"/>, in a stable order.</summary>
    public Task<IReadOnlyList<EnvironmentCheck>> InspectAsync(FoundryPolicy policy, string environment, IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("test the environment", cancellationToken, () => InspectCoreAsync(policy, environment, reporter, cancellationToken));

    private async Task<IReadOnlyList<EnvironmentCheck>> InspectCoreAsync(FoundryPolicy policy, string environment, IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var run = new EnvironmentRun(policy, environment, whatIf: true, runId: "", new AuditLog(null), reporter);
        var checks = new CheckRecorder(environment, cancellationToken);
        var names = run.Names;
        reporter.Progress(environment, "Checking the resources");
        var groupId = $"/subscriptions/{run.Subscription}/resourceGroups/{names.ResourceGroup}";
        await checks.RunAsync(ResourceGroup, new CheckTarget(groupId, names.ResourceGroup, names.ResourceGroup), async () =>
        {
            var group = await services.Groups.GetAsync(run.Subscription, names.ResourceGroup, cancellationToken).ConfigureAwait(false);
            return CheckOutcome.Provisioned(group is not null, group?.ProvisioningState, "resource group", environment);
        }).ConfigureAwait(false);

        AccountInfo? account = null;
        var accountStatus = await checks.RunAsync(Account, new CheckTarget(run.AccountId, names.Account, names.ResourceGroup), async () =>
        {
            account = await services.Accounts.GetAsync(run.AccountId, cancellationToken).ConfigureAwait(false);
            return CheckOutcome.Provisioned(account is not null, account?.ProvisioningState, "AI account", environment);
        }).ConfigureAwait(false);
        if (accountStatus != CheckStatus.Passed) account = null;
        var serving = await CheckDeploymentsAsync(run, checks, account, cancellationToken).ConfigureAwait(false);
        await CheckRetirementAsync(run, checks, account, cancellationToken).ConfigureAwait(false);
        if (run.Settings.Auth == AuthModel.Entra)
        {
            // Keyless: no vault or secret to check; the account's keys off, a token served, each app's settings and role.
            reporter.Progress(environment, "Checking the keyless wiring");
            await new EntraChecks(services, run, checks).RunAsync(account, serving, cancellationToken).ConfigureAwait(false);
            return checks.Results;
        }

        VaultInfo? vault = null;
        var vaultStatus = await checks.RunAsync(KeyVault, new CheckTarget(run.VaultId, run.Vault.Name, run.Vault.ResourceGroup), async () =>
        {
            vault = await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false);
            return CheckOutcome.Provisioned(vault is not null, vault?.ProvisioningState, "Key Vault", environment);
        }).ConfigureAwait(false);
        if (vaultStatus != CheckStatus.Passed) vault = null;

        reporter.Progress(environment, "Checking the key");
        var key = await new KeyChecks(services, run, checks).RunAsync(account, vault, serving, cancellationToken).ConfigureAwait(false);
        reporter.Progress(environment, "Checking the apps");
        var apps = new AppChecks(services, run, checks);
        foreach (var app in run.Settings.Apps) await apps.RunAsync(app, account, vault, key, cancellationToken).ConfigureAwait(false);
        return checks.Results;
    }

    /// <summary>One check per policy deployment: its model version's retirement date and the days left (Warning inside the window, Failed when past).</summary>
    private async Task CheckRetirementAsync(EnvironmentRun run, CheckRecorder checks, AccountInfo? account, CancellationToken cancellationToken)
    {
        IReadOnlyList<RetirementJudgement>? judged = null;
        var policy = run.Settings.Retirement;
        foreach (var wanted in run.Settings.Deployments)
        {
            var target = new CheckTarget($"{run.AccountId}/deployments/{wanted.Name}", wanted.Name, run.Names.ResourceGroup);
            if (account?.Location is null)
            {
                checks.Skip(DeploymentRetirement, target, "Not checked: the Account check did not pass.");
                continue;
            }
            await checks.RunAsync(DeploymentRetirement, target, async () =>
            {
                judged ??= await services.Lifecycle.JudgeAsync(run.Subscription, account.Location, run.Settings.Deployments, policy, cancellationToken).ConfigureAwait(false);
                var retirement = judged.First(j => j.Deployment == wanted.Name);
                const string upgrade = "Approve a newer model version in the policy and run New-FoundryEnvironment (see Azure's model retirements page for the replacement).";
                return retirement.Standing switch
                {
                    RetirementStanding.Retired => CheckOutcome.Failed($"{retirement.Describe()}: the deployment returns errors.", upgrade),
                    RetirementStanding.Retiring or RetirementStanding.Warning => CheckOutcome.Warning(
                        $"{retirement.Describe()}, inside the policy's {policy.WarnWithinDays}-day warning window.", upgrade),
                    _ => CheckOutcome.Passed($"{retirement.Describe()}."),
                };
            }).ConfigureAwait(false);
        }
    }

    /// <summary>One check per policy deployment; returns those that passed (the ones a probe can be sent to) with their model's format.</summary>
    private async Task<IReadOnlyDictionary<DeploymentPolicy, string>> CheckDeploymentsAsync(EnvironmentRun run, CheckRecorder checks, AccountInfo? account, CancellationToken cancellationToken)
    {
        var passed = new Dictionary<DeploymentPolicy, string>();
        IReadOnlyList<DeploymentInfo>? existing = null;
        foreach (var wanted in run.Settings.Deployments)
        {
            var target = new CheckTarget($"{run.AccountId}/deployments/{wanted.Name}", wanted.Name, run.Names.ResourceGroup);
            if (account is null)
            {
                checks.Skip(Deployment, target, "Not checked: the Account check did not pass.");
                continue;
            }
            var status = await checks.RunAsync(Deployment, target, async () =>
            {
                existing ??= await services.Deployments.ListAsync(account.ResourceId, cancellationToken).ConfigureAwait(false);
                var current = existing.FirstOrDefault(d => d.Name.Equals(wanted.Name, StringComparison.OrdinalIgnoreCase));
                if (current is { ProvisioningState: not (null or "Succeeded") })
                {
                    return CheckOutcome.Failed($"The deployment is in provisioningState {current.ProvisioningState}.", CheckOutcome.Repair(run.Environment, "puts the policy's deployment back"));
                }
                return EnvironmentProvisioner.DeploymentDrift(current, wanted) is { } drift
                    ? CheckOutcome.Failed(current is null ? "The deployment does not exist." : $"The deployment differs from the policy: {drift}.", CheckOutcome.Repair(run.Environment, "puts the policy's deployment back"))
                    : CheckOutcome.Passed($"{current!.Model} {current.Version}, {current.Sku} capacity {current.Capacity}, provisioningState Succeeded.");
            }).ConfigureAwait(false);
            if (status == CheckStatus.Passed) passed[wanted] = existing?.FirstOrDefault(d => d.Name.Equals(wanted.Name, StringComparison.OrdinalIgnoreCase))?.Format ?? "OpenAI";
        }
        return passed;
    }
}
