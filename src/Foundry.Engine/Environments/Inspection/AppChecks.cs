using Foundry.Engine.Access;
using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;
using static Foundry.Engine.Environments.EnvironmentCheckNames;

namespace Foundry.Engine.Environments;

/// <summary>
/// One app as up wired it: its settings (compared with what up writes, values never reported: they can hold the
/// customer's own secrets), its identity's read role on the vault, and its key setting's reference status.
/// </summary>
internal sealed class AppChecks(EngineServices services, EnvironmentRun run, CheckRecorder checks)
{
    public async Task RunAsync(AppPolicy policy, AccountInfo? account, VaultInfo? vault, KeyCheckResult key, CancellationToken cancellationToken)
    {
        var siteId = AppOperations.IdOf(run.Subscription, policy.ResourceGroup, policy.Name);
        var target = new CheckTarget(siteId, policy.Name, policy.ResourceGroup);
        AppInfo? app = null;
        var holdsReference = false;
        await checks.RunAsync(AppSettings, target, async () =>
        {
            app = await services.Apps.GetAsync(siteId, cancellationToken).ConfigureAwait(false);
            if (app is null)
            {
                return CheckOutcome.Failed($"The app '{policy.Name}' does not exist in resource group '{policy.ResourceGroup}'.",
                    "Create the Function App (Foundry wires existing apps), or fix apps[].name / resourceGroup in the policy.");
            }
            if (account is null || vault is null) return CheckOutcome.Skipped("Not checked: the Account or KeyVault check did not pass.");
            var settings = await services.Apps.ListSettingsAsync(siteId, cancellationToken).ConfigureAwait(false);
            var desired = new KeyWiring(services, run).DesiredSettings(policy, account, vault.VaultUri, run.Settings.SecretName);
            var differing = desired.Where(d => !settings.TryGetValue(d.Key, out var value) || value != d.Value).Select(d => d.Key).ToList();
            holdsReference = !differing.Contains(policy.KeySetting);
            return differing.Count == 0
                ? CheckOutcome.Passed($"{policy.KeySetting} holds the Key Vault reference {desired[policy.KeySetting]}; {policy.EndpointSetting} and {policy.DeploymentSetting} hold what up wrote.")
                : CheckOutcome.Failed($"{string.Join(", ", differing)} {(differing.Count == 1 ? "does" : "do")} not hold what up wrote (values are not shown)" +
                    $"{(holdsReference ? "" : $"; {policy.KeySetting} should be {desired[policy.KeySetting]}")}.",
                    CheckOutcome.Repair(run.Environment, "rewrites those settings, keeping every other setting"));
        }).ConfigureAwait(false);

        if (app?.ReferencePrincipalId is not { } principal || vault is null)
        {
            checks.Skip(AppRoleAssignment, target, $"Not checked: {(app is null ? "the app could not be read" : vault is null ? "the KeyVault check did not pass" : "the app has no managed identity")}.");
        }
        else if (!vault.RbacAuthorization)
        {
            // An access-policy vault: role assignments grant nothing there, the app's access policy does.
            await checks.RunAsync(AppRoleAssignment, target, () => Task.FromResult(
                vault.MissingSecretPermissions(principal, VaultAccessPolicies.AppSecretPermissions) is { Count: > 0 } missing
                    ? CheckOutcome.Failed($"The app identity {principal} lacks secrets {string.Join(", ", missing)} in the access policies of {vault.Name}, so it cannot read the secret.",
                        CheckOutcome.Repair(run.Environment, "adds the access policy again"))
                    : CheckOutcome.Passed($"The app identity {principal} may get secrets through an access policy of {vault.Name}."))).ConfigureAwait(false);
        }
        else
        {
            await checks.RunAsync(AppRoleAssignment, target, async () =>
                await services.RoleAssignments.FindAsync(vault.ResourceId, principal, BuiltInRoles.KeyVaultSecretsUser, cancellationToken).ConfigureAwait(false) is { } assignment
                    ? CheckOutcome.Passed($"The app identity {principal} holds Key Vault Secrets User on {vault.Name} ({assignment.Name}).")
                    : CheckOutcome.Failed($"The app identity {principal} holds no Key Vault Secrets User assignment on {vault.Name}, so it cannot read the secret.",
                        CheckOutcome.Repair(run.Environment, "grants the role again"))).ConfigureAwait(false);
        }

        if (!holdsReference)
        {
            checks.Skip(AppKeyVaultReference, target, $"Not checked: {policy.KeySetting} is not known to hold the Key Vault reference (see the AppSettings check).");
            return;
        }
        await checks.RunAsync(AppKeyVaultReference, target, async () =>
        {
            var status = await services.Apps.GetKeyVaultReferenceAsync(siteId, policy.KeySetting, cancellationToken).ConfigureAwait(false);
            var refresh = CheckOutcome.Repair(run.Environment, "refreshes the app until the reference resolves the current version");
            if (status is null) return CheckOutcome.Failed($"The app does not report {policy.KeySetting} as a Key Vault reference.", refresh);
            if (status.Status != "Resolved")
            {
                return CheckOutcome.Failed($"{policy.KeySetting} is {status.Status}{(string.IsNullOrEmpty(status.Details) ? "" : $": {status.Details}")}.",
                    status.Status is "AccessToKeyVaultDenied" or "MSINotEnabled" ? ReferenceRefresher.RecommendedAction(status.Status, run.Settings.RefreshTimeout) : refresh);
            }
            // While the secret itself is out of step, the app lagging behind its latest version is that drift, reported once by the Secret check.
            // Resolved without an active version proves nothing by itself (ResolvedVersion): the app may hold an older version.
            var proven = key.InStep ? await ResolvedVersion.ProvenAsync(services.Secrets, status, vault!.VaultUri, run.Settings.SecretName, cancellationToken).ConfigureAwait(false) : null;
            if (key.InStep && proven != key.CurrentVersion)
            {
                return CheckOutcome.Failed(proven is null
                    ? $"{policy.KeySetting} is Resolved, but Azure reports no active version and the secret has other versions than the current {key.CurrentVersion}, so the app may still hold an older one."
                    : $"{policy.KeySetting} resolves secret version {proven}, not the current {key.CurrentVersion}.", refresh);
            }
            return CheckOutcome.Passed($"{policy.KeySetting} is Resolved{(status.ActiveVersion is null ? "" : $" on secret version {status.ActiveVersion}")}" +
                $"{(key.InStep ? "" : " (the secret is out of step: see the Secret check)")}.");
        }).ConfigureAwait(false);
    }
}
