using Foundry.Engine.Accounts;
using Foundry.Engine.Audit;
using Foundry.Engine.Deployments;
using Foundry.Engine.Errors;
using Foundry.Engine.Graph;
using Foundry.Engine.Groups;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;

namespace Foundry.Engine.Environments;

/// <summary>
/// "up": converges one environment to its policy. Each step reads, decides and changes only what differs, so a
/// converged environment sees reads only, -WhatIf reports the plan without writing, and a re-run after a failure
/// resumes. Independent branches run concurrently: the account and its deployments beside the vault and its access;
/// then the secret; then every app.
/// </summary>
public sealed class EnvironmentProvisioner
{
    private static readonly TimeSpan AccountCreationLimit = TimeSpan.FromMinutes(15);
    private readonly EngineServices services;
    private readonly EnvironmentLocks locks;

    internal EnvironmentProvisioner(EngineServices services, EnvironmentLocks? locks = null)
    {
        this.services = services;
        this.locks = locks ?? EnvironmentLocks.ThisProcess;
    }

    /// <summary>Converges <paramref name="environment"/> (or, with <paramref name="whatIf"/>, plans it).</summary>
    public Task<ProvisionResult> ProvisionAsync(FoundryPolicy policy, string environment, bool whatIf, string runId, AuditLog audit,
        IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("provision the environment", cancellationToken, () => ProvisionCoreAsync(policy, environment, whatIf, runId, audit, reporter, cancellationToken));

    private async Task<ProvisionResult> ProvisionCoreAsync(FoundryPolicy policy, string environment, bool whatIf, string runId, AuditLog audit,
        IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var run = new EnvironmentRun(policy, environment, whatIf, runId, audit, reporter);
        using var writer = whatIf ? null : await locks.AcquireAsync(run.Subscription, environment, reporter, cancellationToken).ConfigureAwait(false);
        if (!whatIf && await ConvergedWithoutWritesAsync(policy, environment, runId, cancellationToken).ConfigureAwait(false) is { } converged) return converged;
        // Across processes: held from here when the vault exists, else from the moment up has made it (ConvergeAsync).
        await using var lease = EnvironmentLease.For(services, run, "up", locks);
        await lease.EnsureAsync(cancellationToken).ConfigureAwait(false);
        reporter.Progress(environment, "Reading the environment");
        var existing = await services.Accounts.GetAsync(run.AccountId, cancellationToken).ConfigureAwait(false);
        return await ConvergeAsync(run, existing, lease, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts back what drifted on an environment up made (app settings edited by hand, a role assignment removed, the
    /// secret out of step with the active key…) with the same convergence as up; refuses, before any write, an
    /// environment whose account or vault is gone, since remaking those is up's decision (new keys, new endpoint).
    /// </summary>
    public Task<ProvisionResult> RepairAsync(FoundryPolicy policy, string environment, bool whatIf, string runId, AuditLog audit,
        IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("repair the environment", cancellationToken, () => RepairCoreAsync(policy, environment, whatIf, runId, audit, reporter, cancellationToken));

    private async Task<ProvisionResult> RepairCoreAsync(FoundryPolicy policy, string environment, bool whatIf, string runId, AuditLog audit,
        IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var run = new EnvironmentRun(policy, environment, whatIf, runId, audit, reporter);
        using var writer = whatIf ? null : await locks.AcquireAsync(run.Subscription, environment, reporter, cancellationToken).ConfigureAwait(false);
        if (!whatIf && await ConvergedWithoutWritesAsync(policy, environment, runId, cancellationToken).ConfigureAwait(false) is { } converged) return converged;
        await using var lease = EnvironmentLease.For(services, run, "repair", locks);
        await lease.EnsureAsync(cancellationToken).ConfigureAwait(false);
        reporter.Progress(environment, "Reading the environment");
        var account = await services.Accounts.GetAsync(run.AccountId, cancellationToken).ConfigureAwait(false) ?? throw run.NotProvisioned(run.AccountId, "AI account");
        if (run.Settings.Auth == AuthModel.Keys && await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false) is null) throw run.NotProvisioned(run.VaultId, "Key Vault");
        return await ConvergeAsync(run, account, lease, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Plans first (reads only, no lease): a converged re-run then writes nothing at all, not even a lease claim, and a
    /// refusal (an app another environment owns, missing access policies, keys disabled) stops the run before any
    /// write. Returns the environment as read when the plan has no change; otherwise null, and the run takes the lease
    /// and converges with fresh reads (the plan's may be stale by then).
    /// </summary>
    private async Task<ProvisionResult?> ConvergedWithoutWritesAsync(FoundryPolicy policy, string environment, string runId, CancellationToken cancellationToken)
    {
        var plan = new EnvironmentRun(policy, environment, whatIf: true, runId, new AuditLog(null), NullReporter.Instance);
        try
        {
            var existing = await services.Accounts.GetAsync(plan.AccountId, cancellationToken).ConfigureAwait(false);
            var result = await ConvergeAsync(plan, existing, EnvironmentLease.For(services, plan, "plan", locks), cancellationToken).ConfigureAwait(false);
            return result.Changes.Count == 0 ? result with { WhatIf = false } : null;
        }
        catch (FoundryEngineException e) when (e.Kind is FailureKind.Forbidden or FailureKind.NotFound)
        {
            // A plan cannot read what only up's own grants open (the secret, after a run that failed before granting
            // the operator's access), nor what a run in another process removes under it: the run decides, under the lease.
            return null;
        }
    }

    private async Task<ProvisionResult> ConvergeAsync(EnvironmentRun run, AccountInfo? existing, EnvironmentLease lease, CancellationToken cancellationToken)
    {
        // An app another environment wired, and where the account goes (quota, models, soft-deleted names), are
        // settled before anything is written, so a refusal leaves nothing half-made.
        await new AppOwnership(services, run).CheckAsync(cancellationToken).ConfigureAwait(false);
        var entra = run.Settings.Auth == AuthModel.Entra;
        var deployed = existing is null ? (AuthModel?)null : EntraWiring.Deployed(existing);
        if (!entra) await new VaultAccessPolicies(services, run).RefuseEarlyAsync(cancellationToken).ConfigureAwait(false);
        if (existing is not null && deployed == AuthModel.Keys) RefuseKeylessAccount(run, existing);
        if (existing is null && !entra) await new LocalAuthPolicyCheck(services, run).RefuseEarlyAsync(cancellationToken).ConfigureAwait(false);
        await CheckRetirementAsync(run, existing, cancellationToken).ConfigureAwait(false);
        var placement = existing is null ? await PlaceAccountAsync(run, cancellationToken).ConfigureAwait(false) : ((string, bool)?)null;
        await EnsureResourceGroupAsync(run, cancellationToken).ConfigureAwait(false);

        if (entra || deployed == AuthModel.Entra)
        {
            // Keyless, or moving between models: the account and its deployments first, then the apps' way in.
            var accepted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var account = await EnsureAccountAndDeploymentsAsync(run, existing, placement, accepted, cancellationToken).ConfigureAwait(false);
            var migration = new AuthMigration(services, run, MigrationStepOrder);
            if (entra && deployed == AuthModel.Keys) await migration.ToEntraAsync(account!, cancellationToken).ConfigureAwait(false);
            else if (!entra) await migration.ToKeysAsync(account!, token => EnsureVaultAndAppAccessAsync(run, token), cancellationToken).ConfigureAwait(false);
            else await new EntraWiring(services, run).ConvergeAsync(account, cancellationToken).ConfigureAwait(false);
            return await ReadBackAsync(run, cancellationToken).ConfigureAwait(false);
        }

        // The vault (and the apps' read roles on it) wait only until the account's creation is accepted and shown to have
        // keys (seconds), then run beside the account's long operation: an account whose keys a policy disabled stops up
        // before Key Vault is touched.
        var accountAccepted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var accountTask = EnsureAccountAndDeploymentsAsync(run, existing, placement, accountAccepted, cancellationToken);
        var vaultTask = EnsureVaultOnceAccountAcceptedAsync(run, accountAccepted.Task, accountTask, cancellationToken);
        await Task.WhenAll(accountTask, vaultTask).ConfigureAwait(false);

        // Key material and app settings are written only under the lease (a new environment's vault exists only now).
        await lease.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var wiring = new KeyWiring(services, run);
        var (vault, accessGranted) = vaultTask.Result;
        var secret = await wiring.EnsureSecretAsync(accountTask.Result, vault, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(run.Settings.Apps.Select(app => wiring.EnsureAppAsync(app, accountTask.Result, vault, secret, cancellationToken,
            accessGranted.TryGetValue(app, out var granted) ? granted : null))).ConfigureAwait(false);

        return await ReadBackAsync(run, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProvisionResult> ReadBackAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        run.Reporter.Progress(run.Environment, "Reading back");
        var info = await new EnvironmentReader(services).ReadAsync(run.Policy, run.Environment, cancellationToken).ConfigureAwait(false);
        return new ProvisionResult(info, run.Changes, run.WhatIf, run.RunId);
    }

    /// <summary>Tests only: reorders the steps of a move between auth models (to show that the wrong order fails requests).</summary>
    internal Func<IReadOnlyList<MigrationStep>, IEnumerable<MigrationStep>>? MigrationStepOrder { get; init; }

    private async Task EnsureResourceGroupAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        var name = run.Names.ResourceGroup;
        var group = await services.Groups.GetAsync(run.Subscription, name, cancellationToken).ConfigureAwait(false);
        var id = $"/subscriptions/{run.Subscription}/resourceGroups/{name}";
        if (group is null)
        {
            await run.ChangeAsync(new PlannedChange("Create", "Microsoft.Resources/resourceGroups", id, "missing"),
                () => services.Groups.CreateOrUpdateAsync(run.Subscription, name, run.Settings.Location, run.WriteTags(CreatedNow()), cancellationToken)).ConfigureAwait(false);
        }
        else if (!run.HasIdentityTags(group.Tags))
        {
            // The Tags API, not a PUT of the group: a PUT would drop whatever else the group's definition carries (managedBy).
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Resources/resourceGroups", id, "tags missing"),
                () => services.Tags.MergeAsync(id, run.WriteTags(group.Tags), cancellationToken)).ConfigureAwait(false);
        }
    }

    // Written once, at creation; later writes keep it because WriteTags starts from the existing tags.
    private static Dictionary<string, string> CreatedNow() => new() { [ManagedResourceQuery.CreatedAtTag] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>The account (created, restored or updated as needed), then each approved deployment, one at a time.</summary>
    private async Task<AccountInfo?> EnsureAccountAndDeploymentsAsync(EnvironmentRun run, AccountInfo? account, (string Location, bool Restore)? placement,
        TaskCompletionSource<bool> accepted, CancellationToken cancellationToken)
    {
        var names = run.Names;
        var id = run.AccountId;
        if (account is not null) accepted.TrySetResult(true);
        if (account is null)
        {
            var (location, restore) = placement!.Value;
            var spec = new AccountSpec(run.Subscription, names.ResourceGroup, names.Account, location, run.Settings.AccountKind, names.CustomSubdomain, AccountTags(run), restore,
                DisableLocalAuth: run.Settings.Auth == AuthModel.Entra);
            await run.ChangeAsync(new PlannedChange(restore ? "Restore" : "Create", "Microsoft.CognitiveServices/accounts", id, restore ? "soft-deleted; policy restores" : $"missing; placed in {location}"),
                async () =>
                {
                    try
                    {
                        var creation = await services.Accounts.StartCreateOrUpdateAsync(spec, cancellationToken).ConfigureAwait(false);
                        // A modify policy rewrites the request: the account Azure accepted may have keys disabled whatever Foundry asked.
                        if (await services.Accounts.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } accepting) RefuseKeylessAccount(run, accepting);
                        accepted.TrySetResult(true);
                        await creation.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (FoundryEngineException e) when (e.ErrorId == EngineErrorIds.OperationConflict)
                    {
                        // Another run (another process) is creating this very account: wait for it and carry on with it.
                        // Any other conflict (no such account to wait for) is the operator's to see as it is.
                        if (await services.Accounts.GetAsync(id, cancellationToken).ConfigureAwait(false) is null) throw;
                        run.Reporter.Verbose($"{names.Account} is being created by another run; waiting for it.");
                        await WaitUntilAccountSettledAsync(id, cancellationToken).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            account = run.WhatIf ? null : await services.Accounts.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (account is not null) RefuseKeylessAccount(run, account);
            accepted.TrySetResult(true);
        }
        else if (!run.HasIdentityTags(account.Tags))
        {
            // The Tags API, never a PUT of the account: a PUT resets network rules, disableLocalAuth and the rest it omits.
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.CognitiveServices/accounts", id, "tags missing"),
                () => services.Tags.MergeAsync(id, run.WriteTags(account.Tags), cancellationToken)).ConfigureAwait(false);
        }

        var existing = account is null ? new List<DeploymentInfo>() : (await services.Deployments.ListAsync(id, cancellationToken).ConfigureAwait(false)).ToList();
        // Azure refuses overlapping writes on one account (409 RequestConflict): deployments go one at a time.
        foreach (var wanted in run.Settings.Deployments)
        {
            var current = existing.FirstOrDefault(d => d.Name.Equals(wanted.Name, StringComparison.OrdinalIgnoreCase));
            if (DeploymentDrift(current, wanted) is not { } reason) continue;
            // The model's own format (OpenAI, Microsoft, DeepSeek, Mistral AI, Meta …), as the region's models list
            // gives it for the account's kind: an AIServices account deploys Foundry models under their publisher's format.
            var format = await FormatOfAsync(run, wanted, account?.Location, current is not null, cancellationToken).ConfigureAwait(false);
            var spec = new DeploymentSpec(wanted.Name, wanted.Model, wanted.Version, wanted.Sku, wanted.Capacity, format, wanted.VersionUpgradeOption);
            await run.ChangeAsync(new PlannedChange(current is null ? "Create" : "Update", "Microsoft.CognitiveServices/accounts/deployments", $"{id}/deployments/{wanted.Name}", reason),
                async () => await (await services.Deployments.StartCreateOrUpdateAsync(id, spec, account?.Location, cancellationToken, update: current is not null).ConfigureAwait(false))
                    .WaitAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        foreach (var extra in existing.Where(d => !run.Settings.Deployments.Any(w => w.Name.Equals(d.Name, StringComparison.OrdinalIgnoreCase))))
        {
            run.Reporter.Warning($"Deployment '{extra.Name}' on {names.Account} is not in the policy; Foundry leaves it alone.");
        }
        return account;
    }

    /// <summary>
    /// The format a deployment of <paramref name="wanted"/> names: the models list's (read once per run), or null to keep
    /// the deployment's own. An update goes on with its own format when the operator may not read the models list
    /// (subscription scope), as the retirement check does.
    /// </summary>
    private async Task<string?> FormatOfAsync(EnvironmentRun run, DeploymentPolicy wanted, string? location, bool update, CancellationToken cancellationToken)
    {
        location ??= run.Settings.Location;
        if (run.Catalog is null || !run.Catalog.Location.Equals(location, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                run.Catalog = await services.Capacity.ReadAsync(run.Subscription, location, cancellationToken, withUsages: false).ConfigureAwait(false);
            }
            catch (FoundryEngineException e) when (update && e.Kind == FailureKind.Forbidden)
            {
                return null;
            }
        }
        return run.Catalog.FormatOf(wanted, run.Settings.AccountKind);
    }

    /// <summary>A new account's tags: the identity tags, and for a keyless one the auth model it is wired for.</summary>
    private static IReadOnlyDictionary<string, string> AccountTags(EnvironmentRun run)
    {
        if (run.Settings.Auth != AuthModel.Entra) return run.WriteTags();
        var tags = EnvironmentRun.Copy(run.WriteTags());
        tags[EntraWiring.AuthTag] = EntraWiring.TagValue(AuthModel.Entra);
        return tags;
    }

    /// <summary>Keys are what a keys environment wires: an account without them (disableLocalAuth, usually forced by policy) stops the run before Key Vault or any app.</summary>
    private static void RefuseKeylessAccount(EnvironmentRun run, AccountInfo account)
    {
        if (!account.LocalAuthDisabled || run.Settings.Auth == AuthModel.Entra) return;
        throw new FoundryEngineException(FailureKind.InvalidRequest, EngineErrorIds.LocalAuthDisabled, AzureErrorTranslator.LocalAuthMessage(account.ResourceId),
            AzureErrorTranslator.LocalAuthAction, target: account.ResourceId);
    }

    /// <summary>The vault, once the account's creation is accepted with keys; nothing when the account failed first (its error is the run's).</summary>
    private async Task<(VaultInfo? Vault, Dictionary<AppPolicy, bool> AccessGranted)> EnsureVaultOnceAccountAcceptedAsync(EnvironmentRun run, Task accepted, Task accountTask,
        CancellationToken cancellationToken)
    {
        await Task.WhenAny(accepted, accountTask).ConfigureAwait(false);
        if (!accepted.IsCompleted) return (null, new Dictionary<AppPolicy, bool>());
        return await EnsureVaultAndAppAccessAsync(run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses, before any write, a model version already retired or retiring within retirement.refuseWithinDays (a
    /// deployment of a retired version returns errors to every call); warns within retirement.warnWithinDays.
    /// </summary>
    private async Task CheckRetirementAsync(EnvironmentRun run, AccountInfo? existing, CancellationToken cancellationToken)
    {
        var policy = run.Settings.Retirement;
        var location = existing?.Location ?? run.Settings.Location;
        try
        {
            // The run's one read of the region's models list (every page): placement (a new account, with the quota) and
            // the deployments' formats use it too.
            if (run.Catalog is null || !run.Catalog.Location.Equals(location, StringComparison.OrdinalIgnoreCase))
            {
                run.Catalog = await services.Capacity.ReadAsync(run.Subscription, location, cancellationToken, withUsages: existing is null).ConfigureAwait(false);
            }
        }
        catch (FoundryEngineException e) when (e.Kind == FailureKind.Forbidden)
        {
            // The models list is read at subscription scope; an operator whose roles stop at the resource group can still
            // converge an existing environment, told that retirement went unchecked.
            run.Reporter.Warning($"Model retirement dates not checked: {e.Message}");
            return;
        }
        var judged = services.Lifecycle.Judge(run.Catalog, run.Settings.Deployments, policy);
        var refused = judged.Where(j => j.Standing is RetirementStanding.Retired or RetirementStanding.Retiring).ToList();
        if (refused.Count > 0)
        {
            throw new FoundryEngineException(FailureKind.InvalidRequest, EngineErrorIds.ModelVersionRetiring,
                $"Environment '{run.Environment}' would deploy model versions retired or retiring within {policy.RefuseWithinDays} days (as of {refused[0].AsOf:yyyy-MM-dd}): " +
                string.Join("; ", refused.Select(r => $"deployment '{r.Deployment}': {r.Describe()}")) + ".",
                "Approve a newer model version in the policy (see Azure's model retirements page for the replacement), or lower retirement.refuseWithinDays if the date is known to be safe.",
                target: run.AccountId);
        }
        foreach (var warning in judged.Where(j => j.Standing == RetirementStanding.Warning))
        {
            run.Reporter.Warning($"Deployment '{warning.Deployment}': {warning.Describe()}; plan an upgrade (the policy warns within {policy.WarnWithinDays} days).");
        }
    }

    /// <summary>How a deployment differs from the policy's, or null when it matches.</summary>
    internal static string? DeploymentDrift(DeploymentInfo? current, DeploymentPolicy wanted) =>
        current is null ? "missing"
        : current.Model != wanted.Model || current.Version != wanted.Version ? $"model {current.Model} {current.Version} → {wanted.Model} {wanted.Version}"
        : current.Sku != wanted.Sku ? $"SKU {current.Sku} → {wanted.Sku}"
        : current.Capacity != wanted.Capacity ? $"capacity {current.Capacity} → {wanted.Capacity}"
        : !string.Equals(current.VersionUpgradeOption ?? Policy.DeploymentPolicy.DefaultVersionUpgradeOption, wanted.VersionUpgradeOption, StringComparison.OrdinalIgnoreCase)
            ? $"versionUpgradeOption {current.VersionUpgradeOption ?? "(none)"} → {wanted.VersionUpgradeOption}"
        : null;

    private async Task WaitUntilAccountSettledAsync(string accountId, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        while (true)
        {
            var account = await services.Accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
            if (account?.ProvisioningState is null or "Succeeded") return;
            if (account.ProvisioningState is "Failed" or "Canceled" || DateTimeOffset.UtcNow - started > AccountCreationLimit)
            {
                throw new FoundryEngineException(FailureKind.Conflict, EngineErrorIds.OperationConflict,
                    $"Another run's creation of AI account '{account.Name}' ended {account.ProvisioningState}.",
                    "Run New-FoundryEnvironment again once the other run has finished.", target: accountId);
            }
            await Task.Delay(services.Timings.PollingInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Where a new account goes: a soft-deleted one of the same name is purged (ephemeral environments) or restored
    /// (policy), else refused with the remedy; a fresh one goes to the first approved region with the models and quota.
    /// </summary>
    private async Task<(string Location, bool Restore)> PlaceAccountAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        var names = run.Names;
        var candidates = new[] { run.Settings.Location }.Concat(run.Settings.FallbackLocations).ToList();
        var purged = false;
        foreach (var location in candidates)
        {
            var deleted = await services.Accounts.GetDeletedAsync(run.Subscription, location, names.ResourceGroup, names.Account, cancellationToken).ConfigureAwait(false);
            if (deleted is null) continue;
            if (run.Settings.Purge.RestoreSoftDeleted) return (location, true);
            if (!run.Settings.Ephemeral)
            {
                throw AzureErrorTranslator.Translate(new AzureFailure(409, "FlagMustBeSetForRestore", $"A soft-deleted account '{names.Account}' in {location} holds the name."),
                    new FailureContext($"create AI account '{names.Account}'", deleted.ResourceId, Location: location));
            }
            purged = true;
            await run.ChangeAsync(new PlannedChange("Purge", "Microsoft.CognitiveServices/deletedAccounts", deleted.ResourceId, "soft-deleted account holds the name of this ephemeral environment"),
                async () =>
                {
                    var purge = await services.Accounts.StartPurgeAsync(run.Subscription, location, names.ResourceGroup, names.Account, cancellationToken).ConfigureAwait(false);
                    if (purge is not null) await purge.WaitAsync(cancellationToken).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }

        var problems = new List<string>();
        foreach (var location in candidates)
        {
            // The retirement check's read of the primary region serves, unless a purge since freed quota there.
            var catalog = !purged && run.Catalog is { UsagesRead: true } read && read.Location.Equals(location, StringComparison.OrdinalIgnoreCase)
                ? read
                : await services.Capacity.ReadAsync(run.Subscription, location, cancellationToken).ConfigureAwait(false);
            var problem = RegionCapacity.ProblemIn(catalog, run.Settings.Deployments, run.Settings.AccountKind);
            if (problem is null)
            {
                run.Catalog = catalog;
                if (location != run.Settings.Location)
                {
                    run.Reporter.Warning($"Placing {names.Account} in approved fallback region {location}: {run.Settings.Location} cannot host it ({problems[0]}).");
                }
                return (location, false);
            }
            problems.Add($"{location}: {problem}");
        }
        var quotaOnly = problems.All(p => p.Contains("quota"));
        throw new FoundryEngineException(quotaOnly ? FailureKind.QuotaExceeded : FailureKind.InvalidRequest,
            quotaOnly ? EngineErrorIds.QuotaExhausted : EngineErrorIds.ModelNotAvailableInRegion,
            $"No approved region can host environment '{run.Environment}': {string.Join(" | ", problems)}.",
            quotaOnly
                ? "Free quota (delete unused deployments, purge soft-deleted accounts), lower capacities in the policy, request more quota, or approve another fallback location."
                : "Pick model versions and SKUs offered in the approved regions (prefer GlobalStandard), or approve another fallback location in the policy.",
            target: $"/subscriptions/{run.Subscription}/resourceGroups/{names.ResourceGroup}");
    }

    /// <summary>
    /// The vault, then at once each app's read role on it: a role assignment reaches Key Vault only after a minute or
    /// more, so it propagates while the account and its deployments are still being created, not after the secret.
    /// Apps missing or without an identity are left to <see cref="KeyWiring.EnsureAppAsync"/>, which reports them.
    /// </summary>
    private async Task<(VaultInfo? Vault, Dictionary<AppPolicy, bool> AccessGranted)> EnsureVaultAndAppAccessAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        var vault = await EnsureVaultAsync(run, cancellationToken).ConfigureAwait(false);
        var granted = new Dictionary<AppPolicy, bool>();
        if (vault is null) return (vault, granted);
        var wiring = new KeyWiring(services, run);
        foreach (var app in run.Settings.Apps)
        {
            if (await wiring.EnsureAppReadAccessAsync(app, vault, cancellationToken).ConfigureAwait(false) is { } assigned) granted[app] = assigned;
        }
        return (vault, granted);
    }

    /// <summary>The Key Vault: Foundry's own per environment (created when missing), or the policy's existing one.</summary>
    private async Task<VaultInfo?> EnsureVaultAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings.KeyVault;
        var (group, name) = run.Vault;
        var id = run.VaultId;
        var vault = await services.Vaults.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (vault is null && !settings.Create)
        {
            throw new FoundryEngineException(FailureKind.NotFound, "KeyVaultNotFound", $"The policy's Key Vault '{name}' was not found in resource group '{group}'.",
                "Create the vault, or set keyVault to { \"create\": true } so Foundry makes one per environment.", target: id);
        }
        if (vault is null)
        {
            var location = run.Settings.Location;
            if (await services.Vaults.GetDeletedAsync(run.Subscription, location, name, cancellationToken).ConfigureAwait(false) is { } deleted)
            {
                if (!run.Settings.Ephemeral || deleted.PurgeProtection)
                {
                    // A long-lived environment's vault is purge-protected: bring it back with its secrets. So is an
                    // ephemeral one's that purge protection holds (an Azure Policy "deletion protection" modify, or a
                    // person, turned it on): Azure refuses its purge (405 DeletedVaultPurge) and a new vault of the name
                    // (409) until its scheduled purge date, so recovering it is the only way up can go on.
                    var why = run.Settings.Ephemeral
                        ? $"soft-deleted and purge-protected (Azure purges it on {deleted.ScheduledPurgeDate:u}); recovered instead of purged"
                        : "soft-deleted; recovered with its secrets (long-lived environment)";
                    var tenantId = await services.ResolveTenantAsync(run.Subscription, cancellationToken).ConfigureAwait(false);
                    await run.ChangeAsync(new PlannedChange("Recover", "Microsoft.KeyVault/vaults", id, why),
                        async () => await (await services.Vaults.StartRecoverAsync(run.Subscription, group, name, location, tenantId, cancellationToken).ConfigureAwait(false))
                            .WaitAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                    vault = run.WhatIf ? null : await services.Vaults.GetAsync(id, cancellationToken).ConfigureAwait(false);
                    if (vault is not null || run.WhatIf) await new KeyWiring(services, run).EnsureOperatorAccessAsync(id, cancellationToken).ConfigureAwait(false);
                    return vault;
                }
                await run.ChangeAsync(new PlannedChange("Purge", "Microsoft.KeyVault/deletedVaults", name, "a soft-deleted vault holds the name of this ephemeral environment"),
                    () => services.Vaults.PurgeAsync(deleted, cancellationToken)).ConfigureAwait(false);
            }
            var tenant = await services.ResolveTenantAsync(run.Subscription, cancellationToken).ConfigureAwait(false);
            var spec = new VaultSpec(run.Subscription, group, name, run.Settings.Location, tenant, PurgeProtection: !run.Settings.Ephemeral, run.WriteTags());
            await run.ChangeAsync(new PlannedChange("Create", "Microsoft.KeyVault/vaults", id, run.Settings.Ephemeral ? "missing (no purge protection: ephemeral)" : "missing (purge protection on)"),
                async () => await (await services.Vaults.StartCreateOrUpdateAsync(spec, cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            vault = run.WhatIf ? null : await services.Vaults.GetAsync(id, cancellationToken).ConfigureAwait(false);
        }
        if (vault is not null || run.WhatIf) await new KeyWiring(services, run).EnsureOperatorAccessAsync(id, cancellationToken).ConfigureAwait(false);
        return vault;
    }
}
