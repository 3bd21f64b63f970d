using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Audit;
using Foundry.Engine.Policy;
using Foundry.Engine.Secrets;
using Foundry.Engine.Vaults;

using Foundry.Engine.Errors;

namespace Foundry.Engine.Environments;

/// <summary>What a rotation did.</summary>
public sealed record RotationRecord(
    string Environment,
    string AccountId,
    string PreviousSlot,
    string NewSlot,
    string? PreviousSecretVersion,
    string? SecretVersion,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<string> AppsConfirmed,
    IReadOnlyList<string> AppsPending,
    bool WhatIf,
    string RunId)
{
    /// <summary>Why nothing was rotated (a keyless environment has no key), or null.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// Two-key rotation with no downtime: the secret holds the active key; rotation regenerates the *other* key (which no
/// app uses), writes it as a new secret version, and refreshes every app until it resolves that version, while the
/// old key keeps working. Rotating again regenerates the old key, so it is refused while any app still resolves an
/// older version (unless forced).
/// </summary>
public sealed class KeyRotator
{
    /// <summary>Error id of the guard.</summary>
    public const string KeyRotationUnsafe = nameof(KeyRotationUnsafe);
    private readonly EngineServices services;
    private readonly EnvironmentLocks locks;

    // locks: the in-process writer lock; tests pass their own to stand for a second process, which does not share it.
    internal KeyRotator(EngineServices services, EnvironmentLocks? locks = null)
    {
        this.services = services;
        this.locks = locks ?? EnvironmentLocks.ThisProcess;
    }

    /// <summary>
    /// Why a keyless environment has nothing to rotate (its account is wired for entra, or the policy makes it keyless
    /// and it has no account yet), or null for an environment with keys.
    /// </summary>
    private async Task<string?> KeylessNoteAsync(EnvironmentRun run, CancellationToken cancellationToken)
    {
        var account = await services.Accounts.GetAsync(run.AccountId, cancellationToken).ConfigureAwait(false);
        var keyless = account is null ? run.Settings.Auth == AuthModel.Entra : EntraWiring.Deployed(account) == AuthModel.Entra;
        if (!keyless) return null;
        var pending = run.Settings.Auth == AuthModel.Keys ? $" The policy now says auth \"keys\": New-FoundryEnvironment -Environment {run.Environment} moves it to keys first." : "";
        return $"Environment '{run.Environment}' is keyless (auth \"entra\"): its apps call with their managed identities and the account has no key, so there is nothing to rotate; nothing was changed.{pending}";
    }

    /// <summary>Rotates the environment's key (or, with <paramref name="whatIf"/>, says what it would do).</summary>
    public Task<RotationRecord> RotateAsync(FoundryPolicy policy, string environment, bool force, bool whatIf, string runId, AuditLog audit,
        IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("rotate the key", cancellationToken, () => RotateCoreAsync(policy, environment, force, whatIf, runId, audit, reporter, cancellationToken));

    private async Task<RotationRecord> RotateCoreAsync(FoundryPolicy policy, string environment, bool force, bool whatIf, string runId, AuditLog audit,
        IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var run = new EnvironmentRun(policy, environment, whatIf, runId, audit, reporter);
        var started = DateTimeOffset.UtcNow;
        if (await KeylessNoteAsync(run, cancellationToken).ConfigureAwait(false) is { } note)
        {
            // Not an error: a loop over every environment rotates the keyed ones and passes over the keyless ones.
            reporter.Warning(note);
            return new RotationRecord(environment, run.AccountId, "none", "none", null, null, started, DateTimeOffset.UtcNow, Array.Empty<string>(), Array.Empty<string>(), whatIf, runId) { Note = note };
        }
        // Never beside an up of the same environment in this process: up reads the keys and the secret, then writes.
        using var writer = whatIf ? null : await locks.AcquireAsync(run.Subscription, environment, reporter, cancellationToken).ConfigureAwait(false);
        // ...nor beside any run of it in another process (an Actions job, an Automation job).
        await using var lease = EnvironmentLease.For(services, run, "rotate", locks);
        await lease.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var (accountId, vault, secretName, secret, active) = await FindActiveKeyAsync(run, cancellationToken).ConfigureAwait(false);
        var next = active == KeySlot.Key1 ? KeySlot.Key2 : KeySlot.Key1;

        var lagging = await LaggingAppsAsync(run, vault.VaultUri, secretName, secret.Info.Version, cancellationToken).ConfigureAwait(false);
        if (lagging.Count > 0 && !force)
        {
            throw new FoundryEngineException(FailureKind.Conflict, KeyRotationUnsafe,
                $"Rotating now would regenerate {KeyWiring.SlotName(next)}, which these apps may still use: {string.Join("; ", lagging)}. They have not resolved the current secret version {secret.Info.Version}.",
                "Wait for the apps to pick up the current version (or refresh them: Invoke-FoundryKeyRotation refreshes as it goes; New-FoundryEnvironment refreshes stale apps), then rotate again. -Force rotates anyway and breaks apps still on the old key.",
                target: accountId);
        }
        if (lagging.Count > 0) reporter.Warning($"Rotating despite apps on older secret versions (-Force): {string.Join("; ", lagging)}.");

        var wiring = new KeyWiring(services, run);
        var settler = wiring.Settler(accountId, vault.VaultUri);
        SecretInfo? written = null;
        await run.ChangeAsync(new PlannedChange("Regenerate", "Microsoft.CognitiveServices/accounts", accountId, $"{KeyWiring.SlotName(next)} (inactive; {KeyWiring.SlotName(active)} stays valid)"), async () =>
        {
            var regenerated = await services.Accounts.RegenerateKeyAsync(accountId, next, cancellationToken).ConfigureAwait(false);
            // Another process may regenerate this slot while the write is in flight (or retried): the settler reads the
            // keys before and the secret after it, and never leaves a key the account no longer has in the secret.
            written = await settler.WriteAsync(next, regenerated[next], null, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var (confirmed, pending) = written is null ? (new List<string>(), new List<string>())
            : await ConfirmAppsAsync(run, wiring, settler, next, revokedAppsAccepted: lagging.Count > 0, cancellationToken).ConfigureAwait(false);
        if (written is not null) written = (await settler.Currency.ReadAsync(cancellationToken).ConfigureAwait(false)).Latest ?? written;
        return new RotationRecord(environment, accountId, KeyWiring.SlotName(active), KeyWiring.SlotName(next), secret.Info.Version, written?.Version,
            started, whatIf ? null : DateTimeOffset.UtcNow, confirmed, pending, whatIf, runId);
    }

    /// <summary>
    /// Refreshes every app until it resolves the secret's latest key, checked against the account's keys (not just a
    /// version number), then checks every app once more: a run elsewhere may have regenerated a key after an app was
    /// confirmed. An app left on a key the account no longer has gets one more round, then fails the rotation
    /// (<see cref="SecretSettler.KeyRotationConflict"/>); an app still on the previous, working key is reported pending,
    /// and so is one that -Force knowingly broke (<paramref name="revokedAppsAccepted"/>: it lagged and was rotated past).
    /// </summary>
    private async Task<(List<string> Confirmed, List<string> Pending)> ConfirmAppsAsync(EnvironmentRun run, KeyWiring wiring, SecretSettler settler, KeySlot slot,
        bool revokedAppsAccepted, CancellationToken cancellationToken)
    {
        const int Rounds = 2;
        var outcomes = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase); // site id → confirmed
        var toRefresh = run.Settings.Apps.ToList();
        for (var round = 1; ; round++)
        {
            await Task.WhenAll(toRefresh.Select(async app =>
            {
                var siteId = AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name);
                var confirmed = true;
                try
                {
                    await run.ChangeAsync(new PlannedChange("Refresh", "Microsoft.Web/sites", siteId, "resolve the rotated key (the secret's latest version)"),
                        () => wiring.Refresher.RefreshUntilCurrentAsync(siteId, app.KeySetting, run.Settings.RefreshTimeout, settler.Currency.JudgeAsync,
                            token => settler.RepairAsync(slot, token), cancellationToken)).ConfigureAwait(false);
                }
                catch (FoundryEngineException e) when (!cancellationToken.IsCancellationRequested && e.ErrorId != SecretSettler.KeyRotationConflict)
                {
                    // The new key is already live and the old one still works: an app that cannot refresh now is
                    // reported pending (and blocks the next rotation through the guard) rather than failing the rotation.
                    run.Reporter.Warning($"{app.Name} has not picked up the rotated key: {e.Message}");
                    confirmed = false;
                }
                lock (outcomes) outcomes[siteId] = confirmed;
            })).ConfigureAwait(false);

            // Every app again, not only those just refreshed: a key regenerated elsewhere meanwhile can break any of them.
            await settler.RepairAsync(slot, cancellationToken).ConfigureAwait(false);
            var broken = new List<AppPolicy>();
            foreach (var app in run.Settings.Apps)
            {
                var siteId = AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name);
                var status = await services.Apps.GetKeyVaultReferenceAsync(siteId, app.KeySetting, cancellationToken).ConfigureAwait(false);
                // An app behind a newer version that another run wrote still works, and that run refreshes it.
                if (!await settler.Currency.ResolvesRevokedKeyAsync(status, cancellationToken).ConfigureAwait(false)) continue;
                if (revokedAppsAccepted && !outcomes[siteId])
                {
                    run.Reporter.Warning($"{app.Name} resolves a key this forced rotation regenerated: its calls fail until it refreshes.");
                    continue;
                }
                broken.Add(app);
            }
            if (broken.Count == 0)
            {
                var names = run.Settings.Apps.Select(a => (a.Name, Confirmed: outcomes[AppOperations.IdOf(run.Subscription, a.ResourceGroup, a.Name)])).ToList();
                return (names.Where(n => n.Confirmed).Select(n => n.Name).ToList(), names.Where(n => !n.Confirmed).Select(n => n.Name).ToList());
            }
            var brokenNames = string.Join(", ", broken.Select(b => b.Name));
            if (round == Rounds)
            {
                throw settler.Conflict($"after {Rounds} rounds of refreshes, {brokenNames} still resolve(s) a key the account no longer has",
                    AppOperations.IdOf(run.Subscription, broken[0].ResourceGroup, broken[0].Name));
            }
            run.Reporter.Warning($"The keys changed while the apps were refreshed (another run): refreshing {brokenNames} again.");
            toRefresh = broken;
        }
    }

    /// <summary>The account, the vault, the secret and the slot the secret holds (the secret compared with the account's keys).</summary>
    internal async Task<(string AccountId, VaultInfo Vault, string SecretName, (SecretInfo Info, string Value) Secret, KeySlot Active)> FindActiveKeyAsync(
        EnvironmentRun run, CancellationToken cancellationToken)
    {
        var accountId = run.AccountId;
        var account = await services.Accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false) ?? throw run.NotProvisioned(accountId, "AI account");
        var vault = await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false) ?? throw run.NotProvisioned(run.VaultId, "Key Vault");
        var secretName = run.Settings.SecretName;

        run.Reporter.Progress(run.Environment, "Finding the active key");
        var keys = await services.Accounts.ListKeysAsync(accountId, cancellationToken).ConfigureAwait(false);
        var secret = await services.Secrets.GetAsync(vault.VaultUri, secretName, null, cancellationToken).ConfigureAwait(false)
            ?? throw run.NotProvisioned($"{vault.VaultUri}secrets/{secretName}", "secret");
        var active = KeyFingerprint.Same(secret.Value, keys.Key1) ? KeySlot.Key1
            : KeyFingerprint.Same(secret.Value, keys.Key2) ? KeySlot.Key2
            : throw new FoundryEngineException(FailureKind.Conflict, "SecretOutOfStep",
                $"The secret '{secretName}' holds neither key of {account.Name} (fingerprints: secret {KeyFingerprint.Of(secret.Value)}, key1 {keys.Fingerprints.Key1}, key2 {keys.Fingerprints.Key2}); rotating now could break every app.",
                "Run New-FoundryEnvironment to put the active key back into the secret, then rotate.", target: accountId);
        return (accountId, vault, secretName, secret, active);
    }

    /// <summary>Apps not proven to resolve the current secret version (they may hold the inactive key): a Resolved status without
    /// activeVersion proves nothing by itself (docs/rotation.md).</summary>
    internal async Task<List<string>> LaggingAppsAsync(EnvironmentRun run, Uri vaultUri, string secretName, string currentVersion, CancellationToken cancellationToken)
    {
        var lagging = new List<string>();
        foreach (var app in run.Settings.Apps)
        {
            var siteId = AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name);
            var status = await services.Apps.GetKeyVaultReferenceAsync(siteId, app.KeySetting, cancellationToken).ConfigureAwait(false);
            var proven = await ResolvedVersion.ProvenAsync(services.Secrets, status, vaultUri, secretName, cancellationToken).ConfigureAwait(false);
            if (proven == currentVersion) continue;
            lagging.Add(status is { Status: "Resolved", ActiveVersion: null }
                ? $"{app.Name} (Resolved, but Azure reports no active version, so it may still hold an older one)"
                : $"{app.Name} ({status?.Status ?? "no reference"}, version {status?.ActiveVersion ?? "unknown"})");
        }
        return lagging;
    }
}
