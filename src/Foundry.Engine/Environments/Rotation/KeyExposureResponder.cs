using Foundry.Engine.Accounts;
using Foundry.Engine.Audit;
using Foundry.Engine.Policy;
using Foundry.Engine.Secrets;

using Foundry.Engine.Errors;

namespace Foundry.Engine.Environments;

/// <summary>A scan of files for an environment's keys.</summary>
/// <param name="Environment">The environment whose keys were looked for.</param>
/// <param name="AccountId">Its AI account.</param>
/// <param name="Scan">Findings and counts.</param>
public sealed record KeyExposureReport(string Environment, string AccountId, KeyExposureScanResult Scan)
{
    /// <summary>The slots found at least once (key1, key2).</summary>
    public IReadOnlyList<string> ExposedSlots => Scan.Findings.Select(f => f.KeySlot).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
}

/// <summary>What revoking exposed keys did.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="AccountId">Its AI account.</param>
/// <param name="ExposedSlots">The slots that were exposed.</param>
/// <param name="RegeneratedSlots">Slots regenerated, in order (a rotation's regeneration included).</param>
/// <param name="ActiveSlot">The slot the secret holds afterwards.</param>
/// <param name="Rotation">The rotation that moved the apps off the exposed active key, if one was needed.</param>
/// <param name="RunId">The run id in the audit records.</param>
public sealed record KeyRevocationRecord(string Environment, string AccountId, IReadOnlyList<string> ExposedSlots, IReadOnlyList<string> RegeneratedSlots,
    string ActiveSlot, RotationRecord? Rotation, string RunId);

/// <summary>
/// Find-FoundryKeyExposure's engine: reads the environment's two keys (into memory only) and scans files for them; and
/// revokes an exposed key. An exposed inactive key is simply regenerated (no app uses it). An exposed active key
/// cannot be regenerated in place without breaking every app, so the apps are first rotated onto the other slot
/// (a normal rotation, with its lagging-app guard) and only once they all resolve it is the exposed slot regenerated.
/// </summary>
public sealed class KeyExposureResponder
{
    /// <summary>Error id: an exposed key is still what some app resolves, so regenerating it now would break that app.</summary>
    public const string ExposedKeyStillInUse = nameof(ExposedKeyStillInUse);
    private readonly EngineServices services;

    internal KeyExposureResponder(EngineServices services) => this.services = services;

    /// <summary>Scans <paramref name="paths"/> for the environment's current key1 and key2.</summary>
    public Task<KeyExposureReport> ScanAsync(FoundryPolicy policy, string environment, IReadOnlyList<string> paths, IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("read the keys to scan for", cancellationToken, () => ScanCoreAsync(policy, environment, paths, reporter, cancellationToken));

    private async Task<KeyExposureReport> ScanCoreAsync(FoundryPolicy policy, string environment, IReadOnlyList<string> paths, IEngineReporter reporter, CancellationToken cancellationToken)
    {
        if (paths is null || paths.Count == 0) throw new ArgumentException("Give at least one file or folder to scan.", nameof(paths));
        foreach (var path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path)) throw new ArgumentException($"'{path}' is neither a file nor a folder.", nameof(paths));
        }
        var run = new EnvironmentRun(policy, environment, false, "", new AuditLog(null), reporter);
        var accountId = run.AccountId;
        _ = await services.Accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false) ?? throw run.NotProvisioned(accountId, "AI account");
        reporter.Progress(environment, "Reading the account keys");
        var keys = await services.Accounts.ListKeysAsync(accountId, cancellationToken).ConfigureAwait(false);
        var scanner = KeyExposureScanner.For(keys);
        var result = await Task.Run(() => scanner.Scan(paths, folder => reporter.Progress(environment, $"Scanning {folder}"), cancellationToken), cancellationToken).ConfigureAwait(false);
        reporter.Verbose($"Scanned {result.FilesScanned} files for {environment}'s keys; skipped {result.FilesSkipped.Count} (binary, over {KeyExposureScanner.DefaultMaxFileBytes / (1024 * 1024)} MB, or unreadable); {result.Findings.Count} findings.");
        foreach (var skipped in result.FilesSkipped) reporter.Verbose($"Skipped {skipped}");
        return new KeyExposureReport(environment, accountId, result);
    }

    /// <summary>Makes the exposed slots worthless: regenerates each, rotating the apps off the active one first.</summary>
    public Task<KeyRevocationRecord> RevokeAsync(FoundryPolicy policy, string environment, IReadOnlyCollection<string> exposedSlots, bool force, string runId,
        AuditLog audit, IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("revoke the exposed key", cancellationToken, () => RevokeCoreAsync(policy, environment, exposedSlots, force, runId, audit, reporter, cancellationToken));

    private async Task<KeyRevocationRecord> RevokeCoreAsync(FoundryPolicy policy, string environment, IReadOnlyCollection<string> exposedSlots, bool force, string runId,
        AuditLog audit, IEngineReporter reporter, CancellationToken cancellationToken)
    {
        var exposed = exposedSlots.Select(ParseSlot).Distinct().ToList();
        if (exposed.Count == 0) throw new ArgumentException("No exposed slot to revoke.", nameof(exposedSlots));
        var rotator = new KeyRotator(services);
        var run = new EnvironmentRun(policy, environment, false, runId, audit, reporter);
        var (accountId, vault, secretName, secret, active) = await rotator.FindActiveKeyAsync(run, cancellationToken).ConfigureAwait(false);
        var regenerated = new List<string>();
        RotationRecord? rotation = null;

        if (exposed.Contains(active))
        {
            // The rotation regenerates the inactive slot (so an exposed inactive key is cleaned by it as well) and moves
            // the apps onto it; the exposed key is then inactive and can go once no app resolves it any more.
            rotation = await rotator.RotateAsync(policy, environment, force, false, runId, audit, reporter, cancellationToken).ConfigureAwait(false);
            regenerated.Add(rotation.NewSlot);
            if (rotation.AppsPending.Count > 0 && !force)
            {
                throw new FoundryEngineException(FailureKind.Conflict, ExposedKeyStillInUse,
                    $"The apps were rotated off the exposed {KeyWiring.SlotName(active)} onto {rotation.NewSlot}, but these have not resolved secret version {rotation.SecretVersion} yet: {string.Join(", ", rotation.AppsPending)}. The exposed {KeyWiring.SlotName(active)} still works until they do.",
                    $"Run Find-FoundryKeyExposure -Environment {environment} -Rotate again once the apps resolve the new version (it then only regenerates the now inactive {KeyWiring.SlotName(active)}), or add -Force to regenerate it now and break those apps.",
                    target: accountId);
            }
            await RegenerateAsync(run, accountId, active, "exposed; the apps moved off it", cancellationToken).ConfigureAwait(false);
            regenerated.Add(KeyWiring.SlotName(active));
            return new KeyRevocationRecord(environment, accountId, exposed.Select(KeyWiring.SlotName).ToArray(), regenerated, rotation.NewSlot, rotation, runId);
        }

        var inactive = exposed.Single();
        var lagging = await rotator.LaggingAppsAsync(run, vault.VaultUri, secretName, secret.Info.Version, cancellationToken).ConfigureAwait(false);
        if (lagging.Count > 0 && !force)
        {
            throw new FoundryEngineException(FailureKind.Conflict, KeyRotator.KeyRotationUnsafe,
                $"The exposed {KeyWiring.SlotName(inactive)} is the inactive key, but these apps have not resolved the current secret version {secret.Info.Version} and may still use it: {string.Join("; ", lagging)}.",
                "Refresh the apps (New-FoundryEnvironment refreshes stale apps) and run Find-FoundryKeyExposure -Rotate again, or add -Force to regenerate it now and break those apps.",
                target: accountId);
        }
        if (lagging.Count > 0) reporter.Warning($"Regenerating the exposed {KeyWiring.SlotName(inactive)} despite apps on older secret versions (-Force): {string.Join("; ", lagging)}.");
        await RegenerateAsync(run, accountId, inactive, "exposed, inactive: no app uses it", cancellationToken).ConfigureAwait(false);
        regenerated.Add(KeyWiring.SlotName(inactive));
        return new KeyRevocationRecord(environment, accountId, exposed.Select(KeyWiring.SlotName).ToArray(), regenerated, KeyWiring.SlotName(active), null, runId);
    }

    private Task RegenerateAsync(EnvironmentRun run, string accountId, KeySlot slot, string why, CancellationToken cancellationToken) =>
        run.ChangeAsync(new PlannedChange("Regenerate", "Microsoft.CognitiveServices/accounts", accountId, $"{KeyWiring.SlotName(slot)} ({why})"),
            () => services.Accounts.RegenerateKeyAsync(accountId, slot, cancellationToken));

    private static KeySlot ParseSlot(string slot) => slot.ToLowerInvariant() switch
    {
        "key1" => KeySlot.Key1,
        "key2" => KeySlot.Key2,
        _ => throw new ArgumentException($"'{slot}' is not a key slot (key1 or key2).", nameof(slot)),
    };
}
