using Foundry.Engine.Apps;

namespace Foundry.Engine.Environments;

/// <summary>
/// Makes an app fetch its Key Vault references now (instead of within 24 hours) and waits, bounded, until the key
/// setting resolves the expected secret version. A reference that does not resolve fails with what blocks it.
/// </summary>
internal sealed class ReferenceRefresher(AppOperations apps, EngineTimings timings)
{
    public const string ReferenceNotResolved = nameof(ReferenceNotResolved);

    /// <remarks>
    /// <c>equivalentVersion</c> says whether another resolved version is as good as the expected one (it holds the same
    /// key: a run in another process wrote it meanwhile, and the versionless reference resolves the newest).
    /// </remarks>
    public async Task<KeyVaultReferenceStatus> RefreshUntilResolvedAsync(string siteId, string setting, string? expectedVersion, TimeSpan timeout, CancellationToken cancellationToken,
        Func<string, CancellationToken, Task<bool>>? equivalentVersion = null)
    {
        var started = DateTimeOffset.UtcNow;
        var statuses = await apps.RefreshKeyVaultReferencesAsync(siteId, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var status = statuses.FirstOrDefault(s => s.Setting.Equals(setting, StringComparison.OrdinalIgnoreCase));
            if (status is { Status: "Resolved" } && (expectedVersion is null || status.ActiveVersion is null || status.ActiveVersion == expectedVersion)) return status;
            if (status is { Status: "Resolved", ActiveVersion: { } other } && equivalentVersion is not null && await equivalentVersion(other, cancellationToken).ConfigureAwait(false)) return status;
            if (DateTimeOffset.UtcNow - started >= timeout) throw NotResolved(siteId, setting, expectedVersion, status, timeout);
            await Task.Delay(timings.PollingInterval, cancellationToken).ConfigureAwait(false);
            statuses = await apps.RefreshKeyVaultReferencesAsync(siteId, cancellationToken).ConfigureAwait(false);
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

    private static FoundryEngineException NotResolved(string siteId, string setting, string? expectedVersion, KeyVaultReferenceStatus? status, TimeSpan timeout)
    {
        var action = RecommendedAction(status?.Status, timeout);
        return new FoundryEngineException(FailureKind.Timeout, ReferenceNotResolved,
            $"App setting '{setting}' of '{siteId.Split('/').Last()}' is {status?.Status ?? "not a Key Vault reference"}" +
            $"{(status?.ActiveVersion is null ? "" : $" on secret version {status.ActiveVersion}")}{(expectedVersion is null ? "" : $", not version {expectedVersion}")}" +
            $"{(string.IsNullOrEmpty(status?.Details) ? "" : $": {status!.Details}")}.",
            action, target: siteId);
    }
}
