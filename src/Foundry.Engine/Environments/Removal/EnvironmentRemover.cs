using System.Collections.Concurrent;
using Foundry.Engine.Access;
using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Audit;
using Foundry.Engine.Cleanup;
using Foundry.Engine.Graph;
using Foundry.Engine.Naming;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;

using Foundry.Engine.Errors;

namespace Foundry.Engine.Environments;

/// <summary>
/// "down": removes what up made for one environment and nothing else — the app settings still holding Foundry's
/// values, role assignments under Foundry's deterministic names, the secret, the deployments and the account (purged
/// per policy so pr names can be reused), the vault and the resource group only when Foundry created them and nothing
/// foreign is inside. Every step treats "already gone" as done, so a re-run after any failure completes. Ends with a
/// verification of what is left.
/// </summary>
public sealed class EnvironmentRemover
{
    private readonly EngineServices services;

    private readonly EnvironmentLocks locks;

    // locks: the in-process writer lock; tests pass their own to stand for a second process, which does not share it.
    internal EnvironmentRemover(EngineServices services, EnvironmentLocks? locks = null)
    {
        this.services = services;
        this.locks = locks ?? EnvironmentLocks.ThisProcess;
    }

    /// <summary>Removes <paramref name="environment"/> (or, with <paramref name="whatIf"/>, lists what would go).</summary>
    public Task<CleanupReport> RemoveAsync(FoundryPolicy policy, string environment, bool whatIf, string runId, AuditLog audit, IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("remove the environment", cancellationToken, () => RemoveCoreAsync(policy, environment, whatIf, runId, audit, reporter, cancellationToken));

    private async Task<CleanupReport> RemoveCoreAsync(FoundryPolicy policy, string environment, bool whatIf, string runId, AuditLog audit, IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var run = new EnvironmentRun(policy, environment, whatIf, runId, audit, reporter);
        using var writer = whatIf ? null : await locks.AcquireAsync(run.Subscription, environment, reporter, cancellationToken).ConfigureAwait(false);
        // Held to the end: a vault Foundry made goes with its lease; on a policy's existing vault the lease is released
        // (or, once the operator's access is gone, lapses).
        // Another down's removal mark is no reason to wait: down carries on where that one stopped.
        await using var lease = EnvironmentLease.For(services, run, "down", locks, waitForRemoval: false);
        await lease.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var names = run.Names;
        var deletions = new ConcurrentQueue<ResourceDeletion>();
        async Task Step(string type, string target, string reason, Func<Task<bool>> remove)
        {
            var existed = false;
            await run.ChangeAsync(new PlannedChange("Delete", type, target, reason), async () => existed = await remove().ConfigureAwait(false)).ConfigureAwait(false);
            deletions.Enqueue(new ResourceDeletion(target, type, whatIf ? "planned" : existed ? "deleted" : "skipped", 1, existed || whatIf ? null : "already gone", whatIf ? null : DateTimeOffset.UtcNow));
        }

        var accountId = run.AccountId;
        var account = await services.Accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        var vaultName = run.Vault.Name;
        var vaultId = run.VaultId;
        var vault = await services.Vaults.GetAsync(vaultId, cancellationToken).ConfigureAwait(false);

        // 1. Apps first: they stop pointing at the secret before it goes.
        foreach (var app in run.Settings.Apps)
        {
            var siteId = AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name);
            var site = await services.Apps.GetAsync(siteId, cancellationToken).ConfigureAwait(false);
            if (site is null) continue;
            var settings = await services.Apps.ListSettingsAsync(siteId, cancellationToken).ConfigureAwait(false);
            var ours = OurSettings(app, settings, site.Tags, vault, account, run).ToList();
            if (ours.Count > 0)
            {
                await Step("Microsoft.Web/sites/config", $"{siteId}/config/appsettings", $"remove {string.Join(", ", ours)} (other settings kept)", async () =>
                {
                    var fresh = await services.Apps.ListSettingsAsync(siteId, cancellationToken).ConfigureAwait(false);
                    foreach (var key in ours) fresh.Remove(key);
                    await services.Apps.ReplaceSettingsAsync(siteId, fresh, cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            // Then the ownership tags naming this environment go (by name and value, so a claim another environment
            // made meanwhile stays): the app is free for another environment to wire.
            var claims = AppOwnership.Settings(app).Where(setting => run.Environment.Equals(AppOwnership.OwnerOf(site.Tags, setting), StringComparison.OrdinalIgnoreCase))
                .ToDictionary(AppOwnership.TagOf, _ => run.Environment, StringComparer.OrdinalIgnoreCase);
            if (claims.Count > 0)
            {
                await Step("Microsoft.Resources/tags", $"{siteId}/providers/Microsoft.Resources/tags/default", $"release {string.Join(", ", claims.Keys)}", async () =>
                {
                    await services.Apps.PatchTagsAsync(siteId, "Delete", claims, cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            if (site.WiringPrincipalId is { } principal && vault is not null)
            {
                await RemoveOurAssignmentAsync(vaultId, principal, BuiltInRoles.KeyVaultSecretsUser, Step, cancellationToken).ConfigureAwait(false);
                // On an access-policy vault: only the permissions Foundry granted for this environment (its ownership tag).
                await new VaultAccessPolicies(services, run).ReleaseAsync(vaultId, principal, $"app '{app.Name}'", Step, cancellationToken).ConfigureAwait(false);
            }
        }

        // 2. The secret (soft delete, then purge per policy), then the operator's access Foundry granted. A re-run after
        //    a failure may find that access already removed: it is granted again while the secret still needs work.
        //    A vault Foundry made is listed now, while that access holds: secrets someone else put there keep it alive.
        var vaultIsOurs = vault is not null && run.Settings.KeyVault.Create && run.HasIdentityTags(vault.Tags);
        var foreignSecrets = new List<string>();
        if (vault is not null)
        {
            if ((vaultIsOurs && !whatIf) || await NeedsSecretWorkAsync(vault, run, cancellationToken).ConfigureAwait(false))
            {
                await new KeyWiring(services, run).EnsureOperatorAccessAsync(vaultId, cancellationToken).ConfigureAwait(false);
            }
            if (vaultIsOurs && !whatIf) foreignSecrets = await ForeignSecretsAsync(vault, run, cancellationToken).ConfigureAwait(false);
            var secretUri = $"{vault.VaultUri.ToString().TrimEnd('/')}/secrets/{run.Settings.SecretName}";
            if (await Propagation.RetryForbiddenAsync(() => services.Secrets.GetPropertiesAsync(vault.VaultUri, run.Settings.SecretName, cancellationToken), services.Timings, cancellationToken).ConfigureAwait(false) is not null)
            {
                await Step("secret", secretUri, "soft delete", async () =>
                {
                    var delete = await services.Secrets.StartDeleteAsync(vault.VaultUri, run.Settings.SecretName, cancellationToken).ConfigureAwait(false);
                    if (delete is null) return false;
                    await delete.WaitAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            if (run.Settings.Purge.Secret && vault.PurgeProtection)
            {
                // Key Vault refuses to purge anything in a purge-protected vault (403 "purge is not allowed because purge
                // protection is enabled"): the deleted secret stays until its retention ends, which down states.
                if (whatIf || await services.Secrets.GetDeletedAsync(vault.VaultUri, run.Settings.SecretName, cancellationToken).ConfigureAwait(false) is not null)
                {
                    deletions.Enqueue(new ResourceDeletion(secretUri, "deletedsecret", whatIf ? "planned" : "soft-deleted", 0,
                        "not purged: the vault is purge-protected, so Key Vault purges the secret itself when its retention ends", null));
                }
            }
            else if (run.Settings.Purge.Secret && (whatIf || await services.Secrets.GetDeletedAsync(vault.VaultUri, run.Settings.SecretName, cancellationToken).ConfigureAwait(false) is not null))
            {
                await Step("deletedsecret", secretUri, "purge (policy)", () => services.Secrets.PurgeDeletedAsync(vault.VaultUri, run.Settings.SecretName, cancellationToken)).ConfigureAwait(false);
            }
            var operatorPrincipal = await services.CurrentPrincipal(cancellationToken).ConfigureAwait(false);
            await RemoveOurAssignmentAsync(vaultId, operatorPrincipal, BuiltInRoles.KeyVaultSecretsOfficer, Step, cancellationToken).ConfigureAwait(false);
            await new VaultAccessPolicies(services, run).ReleaseAsync(vaultId, operatorPrincipal, "the operator", Step, cancellationToken).ConfigureAwait(false);
        }

        // 3. Deployments one at a time (Azure refuses overlapping writes on an account), then the account.
        if (account is not null)
        {
            foreach (var deployment in await services.Deployments.ListAsync(accountId, cancellationToken).ConfigureAwait(false))
            {
                await Step("Microsoft.CognitiveServices/accounts/deployments", deployment.ResourceId, "delete before the account (deleted accounts keep billing deployments)", async () =>
                {
                    var delete = await services.Deployments.StartDeleteAsync(accountId, deployment.Name, cancellationToken).ConfigureAwait(false);
                    if (delete is null) return false;
                    await delete.WaitAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            await Step("Microsoft.CognitiveServices/accounts", accountId, "soft delete", async () =>
            {
                var delete = await services.Accounts.StartDeleteAsync(accountId, cancellationToken).ConfigureAwait(false);
                if (delete is null) return false;
                await delete.WaitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        if (run.Settings.Purge.Account)
        {
            foreach (var location in new[] { account?.Location ?? run.Settings.Location }.Concat(run.Settings.FallbackLocations).Distinct())
            {
                var deleted = whatIf && account is not null ? account
                    : await services.Accounts.GetDeletedAsync(run.Subscription, location, names.ResourceGroup, names.Account, cancellationToken).ConfigureAwait(false);
                if (deleted is null) continue;
                await Step("Microsoft.CognitiveServices/deletedAccounts", AccountOperations.DeletedIdOf(run.Subscription, location, names.ResourceGroup, names.Account),
                    "purge (policy) so the name and quota are free", async () =>
                    {
                        var purge = await services.Accounts.StartPurgeAsync(run.Subscription, location, names.ResourceGroup, names.Account, cancellationToken).ConfigureAwait(false);
                        if (purge is null) return false;
                        await purge.WaitAsync(cancellationToken).ConfigureAwait(false);
                        return true;
                    }).ConfigureAwait(false);
                break;
            }
        }

        // 4. The vault and the group, only when Foundry made them for this environment and nothing foreign is inside.
        if (foreignSecrets.Count > 0)
        {
            reporter.Warning($"Key Vault {vaultName} is kept: it holds secrets Foundry did not write ({string.Join(", ", foreignSecrets.Take(5))}).");
        }
        else if (vaultIsOurs && vault is not null)
        {
            // The plan cannot list the vault's secrets (that needs the data-plane access down grants itself), so it says so.
            var reason = (vault.PurgeProtection ? "soft delete (purge protection keeps the name for its retention)" : "soft delete") +
                         (whatIf ? "; kept instead if it holds secrets Foundry did not write" : "");
            // The lease goes with the vault: from here a run that finds no vault waits for this mark to go.
            if (!whatIf) await lease.MarkRemovalAsync(cancellationToken).ConfigureAwait(false);
            await Step("Microsoft.KeyVault/vaults", vaultId, reason, () => services.Vaults.DeleteAsync(vaultId, cancellationToken)).ConfigureAwait(false);
        }
        // Purged even when an earlier run already deleted the vault (and failed before purging it); never a kept one. A
        // purge-protected one (whether up made it so or a policy or person turned protection on) cannot be purged: Azure
        // answers 405 and purges it itself on its scheduled purge date, which down reports instead of failing.
        var vaultLocation = vault?.Location ?? run.Settings.Location;
        var deletedVault = foreignSecrets.Count > 0 || !run.Settings.KeyVault.Create || !run.Settings.Ephemeral ? null
            : whatIf && vault is not null ? new DeletedVaultInfo(vaultName, vaultName, vaultLocation, vault.PurgeProtection, null)
            : await services.Vaults.GetDeletedAsync(run.Subscription, vaultLocation, vaultName, cancellationToken).ConfigureAwait(false);
        if (deletedVault is { PurgeProtection: true })
        {
            var until = deletedVault.ScheduledPurgeDate is { } date ? $"until its scheduled purge date {date:u}" : "until its retention ends";
            var reason = $"not purged: purge protection keeps it soft-deleted {until} (Azure purges it then; the name {vaultName} stays taken and a new up recovers it)";
            if (!whatIf) reporter.Warning($"Key Vault {vaultName} is soft-deleted and purge-protected, {reason}.");
            deletions.Enqueue(new ResourceDeletion(deletedVault.ResourceId, "Microsoft.KeyVault/deletedVaults", whatIf ? "planned" : "soft-deleted", 0, reason, null));
        }
        else if (deletedVault is not null)
        {
            await Step("Microsoft.KeyVault/deletedVaults", vaultName, "purge (ephemeral) so the name can be reused", async () =>
            {
                await services.Vaults.PurgeAsync(deletedVault, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        // Verified before the group goes: the group carries the removal mark until it is deleted, so a run waiting for
        // it cannot have re-made anything yet (after the group is gone, a new up may start at once).
        var remaining = whatIf ? new List<GraphResource>() : await RemainingAsync(run, cancellationToken).ConfigureAwait(false);
        var group = await services.Groups.GetAsync(run.Subscription, names.ResourceGroup, cancellationToken).ConfigureAwait(false);
        if (group is not null && run.HasIdentityTags(group.Tags))
        {
            // Deleting a group deletes everything in it: it goes only when Resource Manager (not Resource Graph, which
            // lags) lists nothing inside. Under WhatIf nothing was deleted, so what the plan deletes is left out of the count.
            var planned = new HashSet<string>(deletions.Select(d => d.ResourceId), StringComparer.OrdinalIgnoreCase);
            var inside = (await services.Groups.ListResourcesAsync(run.Subscription, names.ResourceGroup, cancellationToken).ConfigureAwait(false))
                .Select(m => m.ResourceId).Where(id => !whatIf || !planned.Contains(id)).ToList();
            if (inside.Count == 0)
            {
                await Step("Microsoft.Resources/resourceGroups", group.ResourceId, "empty, made by Foundry", async () =>
                {
                    var delete = await services.Groups.StartDeleteAsync(run.Subscription, names.ResourceGroup, cancellationToken).ConfigureAwait(false);
                    if (delete is null) return false;
                    await delete.WaitAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
            else
            {
                var reason = $"kept: it holds {inside.Count} resource(s) Foundry did not make or could not remove ({string.Join(", ", inside.Take(5).Select(id => id.Split('/').Last()))}); deleting the group would delete them.";
                reporter.Warning($"Resource group {names.ResourceGroup} is {reason}");
                deletions.Enqueue(new ResourceDeletion(group.ResourceId, "Microsoft.Resources/resourceGroups", "kept", 0, reason, null));
            }
        }

        var list = deletions.ToList();
        var status = whatIf ? "Planned" : remaining.Count == 0 ? "Verified" : "VerificationFailed";
        return new CleanupReport(environment, runId, status, list.Count, list.Count(d => d.Status == "deleted"), list, remaining);
    }

    /// <summary>Secrets in the vault other than the environment's own (someone else's data: the vault must stay).</summary>
    private async Task<List<string>> ForeignSecretsAsync(VaultInfo vault, EnvironmentRun run, CancellationToken cancellationToken)
    {
        try
        {
            return (await Propagation.RetryForbiddenAsync(() => services.Secrets.ListNamesAsync(vault.VaultUri, cancellationToken), services.Timings, cancellationToken).ConfigureAwait(false))
                .Where(name => !name.Equals(run.Settings.SecretName, StringComparison.OrdinalIgnoreCase) && !name.Equals(EnvironmentLease.NameFor(run.Environment), StringComparison.OrdinalIgnoreCase)).ToList();
        }
        catch (FoundryEngineException e) when (e.Kind == FailureKind.Forbidden)
        {
            // Without rights to list, nothing proves the vault empty: keep it.
            return new List<string> { "(secrets not listable)" };
        }
    }

    /// <summary>Whether the secret still exists or lingers deleted (to be purged) — probed without data-plane rights via the role list.</summary>
    private async Task<bool> NeedsSecretWorkAsync(VaultInfo vault, EnvironmentRun run, CancellationToken cancellationToken)
    {
        try
        {
            return await services.Secrets.GetPropertiesAsync(vault.VaultUri, run.Settings.SecretName, cancellationToken).ConfigureAwait(false) is not null ||
                   (run.Settings.Purge.Secret && await services.Secrets.GetDeletedAsync(vault.VaultUri, run.Settings.SecretName, cancellationToken).ConfigureAwait(false) is not null);
        }
        catch (FoundryEngineException e) when (e.Kind == FailureKind.Forbidden)
        {
            return true;
        }
    }

    /// <summary>
    /// Settings this environment wrote and that still hold its values. The ownership tag decides who wrote a setting:
    /// one another environment wrote (a shared app, or a setting it took over) is never removed. Without a tag (wired
    /// before ownership tags), only values that can be this environment's alone count: the reference to its vault's
    /// secret and its account's endpoint; the deployment name ("gpt-4o") is common to environments, so it goes only
    /// with one of those.
    /// </summary>
    private static IEnumerable<string> OurSettings(AppPolicy app, IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string> siteTags,
        VaultInfo? vault, AccountInfo? account, EnvironmentRun run)
    {
        bool Writer(string setting, out bool tagged)
        {
            var owner = AppOwnership.OwnerOf(siteTags, setting);
            tagged = owner is not null;
            return owner is null || owner.Equals(run.Environment, StringComparison.OrdinalIgnoreCase);
        }
        var key = settings.TryGetValue(app.KeySetting, out var keyValue) && Writer(app.KeySetting, out _) &&
                  keyValue.IndexOf($"/secrets/{run.Settings.SecretName}", StringComparison.OrdinalIgnoreCase) >= 0 &&
                  (vault is null || keyValue.IndexOf(vault.VaultUri.Host, StringComparison.OrdinalIgnoreCase) >= 0 || keyValue.IndexOf(run.Names.KeyVault, StringComparison.OrdinalIgnoreCase) >= 0);
        var endpoint = settings.TryGetValue(app.EndpointSetting, out var endpointValue) && Writer(app.EndpointSetting, out _) &&
                       (account?.Endpoint is null ? endpointValue.IndexOf(run.Names.CustomSubdomain, StringComparison.OrdinalIgnoreCase) >= 0 : endpointValue == account.Endpoint);
        var deployment = settings.TryGetValue(app.DeploymentSetting, out var deploymentValue) && Writer(app.DeploymentSetting, out var deploymentTagged) &&
                         run.Settings.Deployments.Any(d => d.Name == deploymentValue) && (deploymentTagged || key || endpoint);
        if (key) yield return app.KeySetting;
        if (endpoint) yield return app.EndpointSetting;
        if (deployment) yield return app.DeploymentSetting;
    }

    private async Task RemoveOurAssignmentAsync(string scope, string principalId, string role, Func<string, string, string, Func<Task<bool>>, Task> step, CancellationToken cancellationToken)
    {
        var ourName = ResourceNames.RoleAssignmentName(scope, principalId, role).ToString();
        var assignment = await services.RoleAssignments.FindAsync(scope, principalId, role, cancellationToken).ConfigureAwait(false);
        if (assignment is null || !assignment.Name.Equals(ourName, StringComparison.OrdinalIgnoreCase)) return;
        await step("Microsoft.Authorization/roleAssignments", assignment.ResourceId, "granted by Foundry", () => services.RoleAssignments.DeleteAsync(assignment.ResourceId, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Whatever still carries this environment's tags, read from Resource Manager for the known ids and from Resource Graph for the rest.</summary>
    private async Task<List<GraphResource>> RemainingAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        // Resource Graph shows a resource seconds to minutes after its creation: what down knows by id (the account, the
        // vault) is read from Resource Manager, so what an up made a moment ago is never reported gone. (A group kept for
        // foreign content is not counted, as before: the query covers resources, not containers.)
        var remaining = await KnownRemainingAsync(run, cancellationToken).ConfigureAwait(false);
        var query = new GraphQuery(ManagedResourceQuery.Build(run.Environment), new[] { run.Subscription });
        string? token = null;
        do
        {
            var page = await services.Graph.QueryPageAsync(query, token, cancellationToken).ConfigureAwait(false);
            foreach (var row in page.Items.Where(r => r.Tags.TryGetValue(ManagedResourceQuery.AppTag, out var app) && app == run.Policy.App))
            {
                // Resource Graph lags Resource Manager: a row counts only if the resource is really still there.
                if (remaining.Any(r => r.ResourceId.Equals(row.ResourceId, StringComparison.OrdinalIgnoreCase))) continue;
                if (await services.Probe.ExistsAsync(row.ResourceId, cancellationToken).ConfigureAwait(false)) remaining.Add(row);
            }
            token = page.ContinuationToken;
        }
        while (token is not null);
        return remaining;
    }

    /// <summary>The environment's account and vault, as Resource Manager has them now, when they still carry its tags.</summary>
    private async Task<List<GraphResource>> KnownRemainingAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        var known = new List<GraphResource>();
        void AddIfOurs(string id, string name, string type, string? group, string? location, IReadOnlyDictionary<string, string> tags)
        {
            if (run.HasIdentityTags(tags)) known.Add(new GraphResource(id, name, type, group, location, run.Subscription, tags));
        }
        if (await services.Accounts.GetAsync(run.AccountId, cancellationToken).ConfigureAwait(false) is { } account)
        {
            AddIfOurs(account.ResourceId, account.Name, "Microsoft.CognitiveServices/accounts", account.ResourceGroupName, account.Location, account.Tags);
        }
        if (await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false) is { } vault)
        {
            AddIfOurs(vault.ResourceId, vault.Name, "Microsoft.KeyVault/vaults", vault.ResourceGroupName, vault.Location, vault.Tags);
        }
        return known;
    }
}
