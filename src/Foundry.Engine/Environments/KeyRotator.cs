using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Audit;
using Foundry.Engine.Policy;
using Foundry.Engine.Secrets;
using Foundry.Engine.Vaults;

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
    string RunId);

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

    internal KeyRotator(EngineServices services) => this.services = services;

    /// <summary>Rotates the environment's key (or, with <paramref name="whatIf"/>, says what it would do).</summary>
    public async Task<RotationRecord> RotateAsync(FoundryPolicy policy, string environment, bool force, bool whatIf, string runId, AuditLog audit,
        IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var run = new EnvironmentRun(policy, environment, whatIf, runId, audit, reporter);
        // Never beside an up of the same environment in this process: up reads the keys and the secret, then writes.
        using var writer = whatIf ? null : await EnvironmentLocks.ThisProcess.AcquireAsync(run.Subscription, environment, reporter, cancellationToken).ConfigureAwait(false);
        var started = DateTimeOffset.UtcNow;
        var (accountId, vault, secretName, secret, active) = await FindActiveKeyAsync(run, cancellationToken).ConfigureAwait(false);
        var next = active == KeySlot.Key1 ? KeySlot.Key2 : KeySlot.Key1;

        var lagging = await LaggingAppsAsync(run, secret.Info.Version, cancellationToken).ConfigureAwait(false);
        if (lagging.Count > 0 && !force)
        {
            throw new FoundryEngineException(FailureKind.Conflict, KeyRotationUnsafe,
                $"Rotating now would regenerate {KeyWiring.SlotName(next)}, which these apps may still use: {string.Join("; ", lagging)}. They have not resolved the current secret version {secret.Info.Version}.",
                "Wait for the apps to pick up the current version (or refresh them: Invoke-FoundryKeyRotation refreshes as it goes; New-FoundryEnvironment refreshes stale apps), then rotate again. -Force rotates anyway and breaks apps still on the old key.",
                target: accountId);
        }
        if (lagging.Count > 0) reporter.Warning($"Rotating despite apps on older secret versions (-Force): {string.Join("; ", lagging)}.");

        var wiring = new KeyWiring(services, run);
        SecretInfo? written = null;
        await run.ChangeAsync(new PlannedChange("Regenerate", "Microsoft.CognitiveServices/accounts", accountId, $"{KeyWiring.SlotName(next)} (inactive; {KeyWiring.SlotName(active)} stays valid)"), async () =>
        {
            var regenerated = await services.Accounts.RegenerateKeyAsync(accountId, next, cancellationToken).ConfigureAwait(false);
            written = await services.Secrets.SetAsync(vault.VaultUri, secretName, regenerated[next], wiring.SecretTags(next), cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var confirmed = new List<string>();
        var pending = new List<string>();
        if (written is not null)
        {
            var refresher = new ReferenceRefresher(services.Apps, services.Timings);
            var results = await Task.WhenAll(run.Settings.Apps.Select(async app =>
            {
                var siteId = AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name);
                try
                {
                    await run.ChangeAsync(new PlannedChange("Refresh", "Microsoft.Web/sites", siteId, $"resolve secret version {written.Version}"),
                        () => refresher.RefreshUntilResolvedAsync(siteId, app.KeySetting, written.Version, run.Settings.RefreshTimeout, cancellationToken)).ConfigureAwait(false);
                    return (app.Name, Confirmed: true);
                }
                catch (FoundryEngineException e) when (!cancellationToken.IsCancellationRequested)
                {
                    // The new key is already live and the old one still works: an app that cannot refresh now is
                    // reported pending (and blocks the next rotation through the guard) rather than failing the rotation.
                    reporter.Warning($"{app.Name} has not picked up secret version {written.Version}: {e.Message}");
                    return (app.Name, Confirmed: false);
                }
            })).ConfigureAwait(false);
            confirmed.AddRange(results.Where(r => r.Confirmed).Select(r => r.Name));
            pending.AddRange(results.Where(r => !r.Confirmed).Select(r => r.Name));
        }
        return new RotationRecord(environment, accountId, KeyWiring.SlotName(active), KeyWiring.SlotName(next), secret.Info.Version, written?.Version,
            started, whatIf ? null : DateTimeOffset.UtcNow, confirmed, pending, whatIf, runId);
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

    /// <summary>Apps whose key setting does not resolve the current secret version (they may hold the inactive key).</summary>
    internal async Task<List<string>> LaggingAppsAsync(EnvironmentRun run, string currentVersion, CancellationToken cancellationToken)
    {
        var lagging = new List<string>();
        foreach (var app in run.Settings.Apps)
        {
            var siteId = AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name);
            var status = await services.Apps.GetKeyVaultReferenceAsync(siteId, app.KeySetting, cancellationToken).ConfigureAwait(false);
            if (status is null || status.Status != "Resolved" || (status.ActiveVersion is not null && status.ActiveVersion != currentVersion))
            {
                lagging.Add($"{app.Name} ({status?.Status ?? "no reference"}, version {status?.ActiveVersion ?? "unknown"})");
            }
        }
        return lagging;
    }
}
