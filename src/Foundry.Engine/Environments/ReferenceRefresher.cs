using System.Collections.Concurrent;
using System.Diagnostics;
using Foundry.Engine.Apps;

namespace Foundry.Engine.Environments;

/// <summary>
/// Makes an app fetch its Key Vault references now (instead of within 24 hours) and waits, bounded, until the key
/// setting resolves a key that is current (<see cref="KeyCurrency"/>). Refreshing reportedly restarts the app, so one
/// instance (one per command) sends at most <see cref="RefreshesPerApp"/> refreshes per app: it refreshes at once when
/// the secret has a newer version than the app resolves, otherwise polls the reference status with backoff and
/// refreshes again only after a share of the timeout. A reference that does not resolve fails with what blocks it.
/// </summary>
internal sealed class ReferenceRefresher(AppOperations apps, EngineTimings timings)
{
    public const string ReferenceNotResolved = nameof(ReferenceNotResolved);
    public const int RefreshesPerApp = 3;
    private readonly ConcurrentDictionary<string, int> refreshes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Refresh requests sent for the app so far by this command.</summary>
    public int RefreshesOf(string siteId) => refreshes.TryGetValue(siteId, out var count) ? count : 0;

    /// <remarks>
    /// <c>judge</c> says whether a status is done; <c>repairSecret</c>, when given, runs when the secret itself holds a
    /// revoked key (a late write of another run), after which the app is refreshed onto the repaired version.
    /// </remarks>
    public async Task<KeyVaultReferenceStatus> RefreshUntilCurrentAsync(string siteId, string setting, TimeSpan timeout,
        Func<KeyVaultReferenceStatus?, CancellationToken, Task<ReferenceJudgement>> judge, Func<CancellationToken, Task>? repairSecret, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var pause = timings.PollingInterval;
        var longestPause = TimeSpan.FromTicks(Math.Max(timings.PollingInterval.Ticks, timeout.Ticks / 8));
        var refreshSpacing = TimeSpan.FromTicks(timeout.Ticks / RefreshesPerApp);
        var status = await RefreshOrReadAsync(siteId, setting, cancellationToken).ConfigureAwait(false);
        var lastRefresh = watch.Elapsed;
        // The secret's latest version as last judged before the app was last refreshed (unknown before the first): only a
        // newer one is worth refreshing for at once. A refresh that answers before the app has fetched still shows the
        // old version, and waiting for it must not spend the budget.
        string? refreshedFor = null;
        while (true)
        {
            var judgement = await judge(status, cancellationToken).ConfigureAwait(false);
            if (judgement.Verdict == ReferenceVerdict.Current) return status!;
            var newerVersion = judgement.Verdict == ReferenceVerdict.Behind && judgement.LatestVersion != refreshedFor;
            if (judgement.Verdict == ReferenceVerdict.SecretRevoked && repairSecret is not null)
            {
                await repairSecret(cancellationToken).ConfigureAwait(false);
                newerVersion = true;
            }
            if (watch.Elapsed >= timeout) throw NotResolved(siteId, setting, status, timeout);
            // A newer version is there now: one refresh picks it up, no need to wait. Otherwise the app may still be
            // fetching (or a role assignment propagating): read the status, and refresh again only now and then.
            if ((newerVersion || watch.Elapsed - lastRefresh >= refreshSpacing) && TryTakeRefresh(siteId))
            {
                refreshedFor = judgement.LatestVersion;
                status = await RefreshAsync(siteId, setting, cancellationToken).ConfigureAwait(false);
                lastRefresh = watch.Elapsed;
                continue;
            }
            var left = timeout - watch.Elapsed;
            await Task.Delay(left < pause ? left : pause, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, longestPause.Ticks));
            status = await apps.GetKeyVaultReferenceAsync(siteId, setting, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<KeyVaultReferenceStatus?> RefreshOrReadAsync(string siteId, string setting, CancellationToken cancellationToken) =>
        TryTakeRefresh(siteId) ? await RefreshAsync(siteId, setting, cancellationToken).ConfigureAwait(false)
            : await apps.GetKeyVaultReferenceAsync(siteId, setting, cancellationToken).ConfigureAwait(false);

    private async Task<KeyVaultReferenceStatus?> RefreshAsync(string siteId, string setting, CancellationToken cancellationToken) =>
        (await apps.RefreshKeyVaultReferencesAsync(siteId, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(s => s.Setting.Equals(setting, StringComparison.OrdinalIgnoreCase));

    private bool TryTakeRefresh(string siteId)
    {
        while (true)
        {
            var used = RefreshesOf(siteId);
            if (used >= RefreshesPerApp) return false;
            if (used == 0 ? refreshes.TryAdd(siteId, 1) : refreshes.TryUpdate(siteId, used + 1, used)) return true;
        }
    }

    /// <summary>What the operator can do about a reference in this status.</summary>
    public static string RecommendedAction(string? status, TimeSpan timeout) => status switch
    {
        "AccessToKeyVaultDenied" => "The app's identity cannot read the secret: check its Key Vault Secrets User assignment on the vault (new assignments can take minutes to apply), then run again.",
        "MSINotEnabled" => "Turn on the app's managed identity, then run again.",
        "VaultNotFound" or "SecretNotFound" or "SecretVersionNotFound" => "The reference points at a vault or secret that does not exist: run New-FoundryEnvironment to repair it.",
        "InvalidSyntax" => "The app setting is not a valid Key Vault reference: run New-FoundryEnvironment to rewrite it.",
        _ => $"The app did not pick up the secret within {timeout.TotalSeconds:0} s. Raise rotation.refreshTimeoutSeconds in the policy or run again later.",
    };

    private static FoundryEngineException NotResolved(string siteId, string setting, KeyVaultReferenceStatus? status, TimeSpan timeout)
    {
        var action = RecommendedAction(status?.Status, timeout);
        return new FoundryEngineException(FailureKind.Timeout, ReferenceNotResolved,
            $"App setting '{setting}' of '{siteId.Split('/').Last()}' is {status?.Status ?? "not a Key Vault reference"}" +
            $"{(status?.ActiveVersion is null ? "" : $" on secret version {status.ActiveVersion}")}{(status is { Status: "Resolved" } ? ", not the secret's latest key" : "")}" +
            $"{(string.IsNullOrEmpty(status?.Details) ? "" : $": {status!.Details}")}.",
            action, target: siteId);
    }
}
