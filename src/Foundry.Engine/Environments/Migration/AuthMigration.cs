using Foundry.Engine.Access;
using Foundry.Engine.Accounts;
using Foundry.Engine.Errors;
using Foundry.Engine.Naming;
using Foundry.Engine.OpenAI;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;

namespace Foundry.Engine.Environments;

/// <summary>One step of a move between auth models: its name (for plans and tests) and what it does.</summary>
internal sealed record MigrationStep(string Name, Func<CancellationToken, Task> Run);

/// <summary>
/// Moves a deployed environment between keys and entra with running apps never failing: every step leaves each app
/// with a working way in, so the new way is proven before the old one is taken away. keys → entra: grant the role,
/// wait until it is served, write the keyless settings beside the key, refresh, remove the key setting, delete the
/// secret, and disable local auth last. entra → keys: enable local auth and wait until keys are served, create the
/// secret, prove each app resolves it (a staging setting), write the key reference, then remove the roles Foundry
/// added. The account's foundry-auth tag changes last, so an interrupted move resumes on the next run. Under WhatIf
/// the steps are planned in order.
/// </summary>
internal sealed class AuthMigration
{
    /// <summary>The staging setting that proves an app's identity resolves the key reference before the app reads it.</summary>
    public const string StagingPrefix = "FOUNDRY_PENDING_";
    private readonly EngineServices services;
    private readonly EnvironmentRun run;
    private readonly Func<IReadOnlyList<MigrationStep>, IEnumerable<MigrationStep>>? stepOrder;
    private readonly EntraWiring entra;

    /// <param name="services">The Engine's operations.</param>
    /// <param name="run">The up run moving the environment.</param>
    /// <param name="stepOrder">Tests only: reorders the steps, to show that the load test fails when they run in the wrong order.</param>
    public AuthMigration(EngineServices services, EnvironmentRun run, Func<IReadOnlyList<MigrationStep>, IEnumerable<MigrationStep>>? stepOrder = null)
    {
        this.services = services;
        this.run = run;
        this.stepOrder = stepOrder;
        entra = new EntraWiring(services, run);
    }

    /// <summary>keys → entra on an existing account whose deployments up has converged.</summary>
    public async Task ToEntraAsync(AccountInfo account, CancellationToken cancellationToken)
    {
        run.Reporter.Warning($"Environment '{run.Environment}' is wired with keys and the policy says auth \"entra\": moving its apps to their identities (no request fails on the way).");
        var apps = new List<EntraApp>();
        foreach (var app in run.Settings.Apps) apps.Add(await entra.ResolveAppAsync(app, cancellationToken).ConfigureAwait(false));
        var steps = new List<MigrationStep>
        {
            new("GrantRole", async token => await entra.EnsureRolesAsync(apps, account, token).ConfigureAwait(false)),
            new("WaitForRole", token => entra.WaitUntilServedAsync(account, token)),
            new("WriteEntraSettings", async token => { foreach (var app in apps) await entra.EnsureSettingsAsync(app, account, removeKeySetting: false, token).ConfigureAwait(false); }),
            new("Refresh", async token => { foreach (var app in apps) await RefreshAsync(app.SiteId, "pick up the keyless settings", token).ConfigureAwait(false); }),
            new("RemoveKeySetting", async token => { foreach (var app in apps) await entra.EnsureSettingsAsync(app, account, removeKeySetting: true, token).ConfigureAwait(false); }),
            new("DeleteSecret", DeleteSecretAsync),
            new("DisableLocalAuth", token => account.LocalAuthDisabled ? Task.CompletedTask : entra.DisableLocalAuthAsync(account, "the apps call with their identities now", token)),
        };
        await RunAsync(steps, cancellationToken).ConfigureAwait(false);
        await entra.TagAsync(account, AuthModel.Entra, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// entra → keys. <paramref name="ensureVault"/> is up's own vault step (the vault, the operator's and the apps' read
    /// access); the key wiring is up's own too, run only once each app is shown to resolve the reference.
    /// </summary>
    public async Task ToKeysAsync(AccountInfo account, Func<CancellationToken, Task<(VaultInfo? Vault, Dictionary<AppPolicy, bool> AccessGranted)>> ensureVault,
        CancellationToken cancellationToken)
    {
        run.Reporter.Warning($"Environment '{run.Environment}' is keyless and the policy says auth \"keys\": moving its apps to the key in Key Vault (no request fails on the way).");
        var apps = new List<EntraApp>();
        foreach (var app in run.Settings.Apps) apps.Add(await entra.ResolveAppAsync(app, cancellationToken).ConfigureAwait(false));
        var wiring = new KeyWiring(services, run);
        VaultInfo? vault = null;
        SecretState? secret = null;
        var current = account;
        var steps = new List<MigrationStep>
        {
            new("EnableLocalAuth", async token => current = await EnableLocalAuthAsync(account, token).ConfigureAwait(false)),
            new("CreateSecret", async token =>
            {
                vault = (await ensureVault(token).ConfigureAwait(false)).Vault;
                secret = await wiring.EnsureSecretAsync(run.WhatIf ? null : current, vault, token).ConfigureAwait(false);
            }),
            new("ProveReference", async token => { foreach (var app in apps) await ProveReferenceAsync(wiring, app, current, vault, secret, token).ConfigureAwait(false); }),
            new("WriteKeyReference", async token =>
            {
                foreach (var app in apps)
                {
                    await wiring.EnsureAppAsync(app.Policy, run.WhatIf ? null : current, vault, secret, token).ConfigureAwait(false);
                    await RemoveSettingAsync(app, StagingPrefix + app.Policy.KeySetting, "the proof is done", token).ConfigureAwait(false);
                }
            }),
            new("RemoveRole", async token => await RemoveRolesAsync(apps, account, token).ConfigureAwait(false)),
        };
        await RunAsync(steps, cancellationToken).ConfigureAwait(false);
        await entra.TagAsync(account, AuthModel.Keys, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(IReadOnlyList<MigrationStep> steps, CancellationToken cancellationToken)
    {
        foreach (var step in stepOrder?.Invoke(steps) ?? steps)
        {
            run.Reporter.Verbose($"Auth migration step: {step.Name}");
            await step.Run(cancellationToken).ConfigureAwait(false);
        }
    }

    private Task RefreshAsync(string siteId, string reason, CancellationToken cancellationToken) =>
        run.ChangeAsync(new PlannedChange("Refresh", "Microsoft.Web/sites", siteId, reason),
            () => services.Apps.RefreshKeyVaultReferencesAsync(siteId, cancellationToken));

    /// <summary>Deletes the secret (soft delete: recoverable, and up recovers it if the environment goes back to keys).</summary>
    private async Task DeleteSecretAsync(CancellationToken cancellationToken)
    {
        var vault = await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false);
        if (vault is null) return;
        var name = run.Settings.SecretName;
        if (await Propagation.RetryForbiddenAsync(() => services.Secrets.GetPropertiesAsync(vault.VaultUri, name, cancellationToken), services.Timings, cancellationToken).ConfigureAwait(false) is null) return;
        await run.ChangeAsync(new PlannedChange("Delete", "secret", $"{vault.VaultUri}secrets/{name}", "no app reads the key any more (soft delete: recoverable)"), async () =>
        {
            if (await services.Secrets.StartDeleteAsync(vault.VaultUri, name, cancellationToken).ConfigureAwait(false) is { } deletion) await deletion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Turns keys on, then waits until the data plane serves one: a policy that forces them off stops the move here, before any app changes.</summary>
    private async Task<AccountInfo> EnableLocalAuthAsync(AccountInfo account, CancellationToken cancellationToken)
    {
        AccountInfo? updated = account;
        if (account.LocalAuthDisabled)
        {
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.CognitiveServices/accounts", account.ResourceId, "disableLocalAuth false: the apps will call with the key"),
                async () => updated = await services.Accounts.SetLocalAuthDisabledAsync(account.ResourceId, false, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        if (run.WhatIf) return account;
        if (updated is null || updated.LocalAuthDisabled)
        {
            throw new FoundryEngineException(FailureKind.InvalidRequest, EngineErrorIds.KeysNotServed,
                $"AI account '{account.ResourceId}' kept disableLocalAuth true after Foundry turned it off: an Azure Policy (commonly 'Configure Cognitive Services accounts to disable local authentication methods') forces it. The apps still call with their identities; nothing else was changed.",
                "Keep auth \"entra\" for this environment in the Foundry policy, or ask the Azure Policy's owner for an exemption for this account or its resource group; run again.", target: account.ResourceId);
        }
        var deployment = run.Settings.Deployments.FirstOrDefault(d => ModelKinds.Of(d.Model) is ModelKind.Chat or ModelKind.Reasoning);
        if (deployment is null || updated.Endpoint is null) return updated;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var pause = services.Timings.PollingInterval;
        while (true)
        {
            var keys = await services.Accounts.ListKeysAsync(account.ResourceId, cancellationToken).ConfigureAwait(false);
            var reply = await services.Chat.CompleteAsync(updated.Endpoint, deployment.Name, keys.Key1, cancellationToken, reasoning: ModelKinds.Of(deployment.Model) == ModelKind.Reasoning).ConfigureAwait(false);
            if (reply.Succeeded) return updated;
            if (reply.Status is not (401 or 403) || started.Elapsed >= services.Timings.PropagationTimeout)
            {
                throw new FoundryEngineException(FailureKind.InvalidRequest, EngineErrorIds.KeysNotServed,
                    $"Deployment '{deployment.Name}' of {updated.Name} did not serve its key after key authentication was turned on (HTTP {reply.Status}{(reply.ErrorCode is null ? "" : $" {reply.ErrorCode}")}); the apps still call with their identities.",
                    "Run the command again (it resumes); if it persists, check the account in the portal.", target: account.ResourceId);
            }
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
        }
    }

    /// <summary>
    /// Writes the key reference under a staging name the app's code does not read and refreshes until App Service
    /// resolves it with the app's identity on the secret's current version: the app's read role has reached Key Vault,
    /// so the real setting, written next, resolves at once instead of handing the app the reference text for a while.
    /// </summary>
    private async Task ProveReferenceAsync(KeyWiring wiring, EntraApp app, AccountInfo account, VaultInfo? vault, SecretState? secret, CancellationToken cancellationToken)
    {
        var staging = StagingPrefix + app.Policy.KeySetting;
        if (vault is null || secret is null || run.WhatIf)
        {
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites/config", $"{app.SiteId}/config/appsettings", $"set {staging} to the key reference, and refresh until the app's identity resolves it"), () => Task.CompletedTask).ConfigureAwait(false);
            return;
        }
        var reference = KeyWiring.Reference(vault.VaultUri, secret.Name);
        var settings = await services.Apps.ListSettingsAsync(app.SiteId, cancellationToken).ConfigureAwait(false);
        if (settings.TryGetValue(app.Policy.KeySetting, out var wired) && wired == reference) return; // already on the key (a resumed move)
        if (!settings.TryGetValue(staging, out var value) || value != reference)
        {
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites/config", $"{app.SiteId}/config/appsettings", $"set {staging} to the key reference (a proof; the app's code does not read it)"), async () =>
            {
                var fresh = await services.Apps.ListSettingsAsync(app.SiteId, cancellationToken).ConfigureAwait(false);
                fresh[staging] = reference;
                await services.Apps.ReplaceSettingsAsync(app.SiteId, fresh, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        var settler = wiring.Settler(account.ResourceId, vault.VaultUri);
        await run.ChangeAsync(new PlannedChange("Refresh", "Microsoft.Web/sites", app.SiteId, $"until the app's identity resolves {staging} on the current version"),
            () => wiring.Refresher.RefreshUntilCurrentAsync(app.SiteId, staging, run.Settings.RefreshTimeout, settler.Currency.JudgeAsync, null, cancellationToken)).ConfigureAwait(false);
    }

    private async Task RemoveSettingAsync(EntraApp app, string setting, string reason, CancellationToken cancellationToken)
    {
        if (run.WhatIf) return;
        if (!(await services.Apps.ListSettingsAsync(app.SiteId, cancellationToken).ConfigureAwait(false)).ContainsKey(setting)) return;
        await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites/config", $"{app.SiteId}/config/appsettings", $"remove {setting}: {reason}"), async () =>
        {
            var fresh = await services.Apps.ListSettingsAsync(app.SiteId, cancellationToken).ConfigureAwait(false);
            if (fresh.Remove(setting)) await services.Apps.ReplaceSettingsAsync(app.SiteId, fresh, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Removes the Cognitive Services OpenAI User assignments Foundry made (named by its deterministic name); others' stay.</summary>
    private async Task RemoveRolesAsync(IReadOnlyList<EntraApp> apps, AccountInfo account, CancellationToken cancellationToken)
    {
        var principals = apps.Select(a => a.PrincipalId).Append(await services.CurrentPrincipal(cancellationToken).ConfigureAwait(false)).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var principal in principals)
        {
            var assignment = await services.RoleAssignments.FindAsync(account.ResourceId, principal, BuiltInRoles.CognitiveServicesOpenAIUser, cancellationToken).ConfigureAwait(false);
            if (assignment is null || !assignment.Name.Equals(ResourceNames.RoleAssignmentName(account.ResourceId, principal, BuiltInRoles.CognitiveServicesOpenAIUser).ToString(), StringComparison.OrdinalIgnoreCase)) continue;
            await run.ChangeAsync(new PlannedChange("Delete", "Microsoft.Authorization/roleAssignments", assignment.ResourceId, "the key serves the apps again; Foundry made this Cognitive Services OpenAI User assignment"),
                () => services.RoleAssignments.DeleteAsync(assignment.ResourceId, cancellationToken)).ConfigureAwait(false);
        }
    }
}
