using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.Environments;

/// <summary>The account's keys and the secret's latest version, read together (keys first).</summary>
internal sealed record KeySnapshot(AccountKeys Keys, SecretInfo? Latest, string? LatestValue)
{
    /// <summary>The slot whose current key <paramref name="key"/> is, or null when the account no longer has it.</summary>
    public KeySlot? SlotOf(string? key) => key is null ? null
        : KeyFingerprint.Same(key, Keys.Key1) ? KeySlot.Key1
        : KeyFingerprint.Same(key, Keys.Key2) ? KeySlot.Key2 : null;

    /// <summary>Whether the secret's latest version holds a key the account still has.</summary>
    public bool SecretIsCurrent => SlotOf(LatestValue) is not null;
}

/// <summary>How the key an app resolves stands against the account and the secret.</summary>
internal enum ReferenceVerdict
{
    /// <summary>Resolved on the secret's latest key, which the account still has: done.</summary>
    Current,
    /// <summary>Resolved on an older version than the secret's latest: a refresh moves the app on.</summary>
    Behind,
    /// <summary>Not resolved (yet): the status says why.</summary>
    Unresolved,
    /// <summary>The secret's latest version holds a key the account no longer has: refreshing would not help.</summary>
    SecretRevoked,
}

/// <summary>A verdict and the secret's latest version it was judged against (null when the secret was not read).</summary>
internal sealed record ReferenceJudgement(ReferenceVerdict Verdict, string? LatestVersion);

/// <summary>
/// Whether the secret and an app hold a key that works: each judgement re-reads the account's keys and the secret,
/// because another process may regenerate a key or write a version at any moment (Key Vault has no conditional
/// write). Keys are compared by value in constant time and only ever named by fingerprint.
/// </summary>
internal sealed class KeyCurrency(EngineServices services, string accountId, Uri vaultUri, string secretName)
{
    public Uri VaultUri => vaultUri;
    public string SecretName => secretName;

    public async Task<KeySnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        // Keys before the secret: a version written after the keys were read can only hold a newer key, never one
        // this snapshot would wrongly call revoked for having read the keys late.
        var keys = await services.Accounts.ListKeysAsync(accountId, cancellationToken).ConfigureAwait(false);
        var latest = await services.Secrets.GetAsync(vaultUri, secretName, null, cancellationToken).ConfigureAwait(false);
        return new KeySnapshot(keys, latest?.Info, latest?.Value);
    }

    public async Task<ReferenceJudgement> JudgeAsync(KeyVaultReferenceStatus? status, CancellationToken cancellationToken)
    {
        if (status is not { Status: "Resolved" }) return new(ReferenceVerdict.Unresolved, null);
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (!snapshot.SecretIsCurrent) return new(ReferenceVerdict.SecretRevoked, snapshot.Latest?.Version);
        var resolved = await ResolvedKeyAsync(status, snapshot, cancellationToken).ConfigureAwait(false);
        // Another version holding the same key is as good as the latest (two runs wrote the same key).
        var verdict = resolved is not null && KeyFingerprint.Same(resolved, snapshot.LatestValue!) ? ReferenceVerdict.Current : ReferenceVerdict.Behind;
        return new(verdict, snapshot.Latest?.Version);
    }

    /// <summary>Whether the key the app resolves is one the account no longer has: its calls fail with 401.</summary>
    public async Task<bool> ResolvesRevokedKeyAsync(KeyVaultReferenceStatus? status, CancellationToken cancellationToken)
    {
        if (status is not { Status: "Resolved" }) return false;
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var resolved = await ResolvedKeyAsync(status, snapshot, cancellationToken).ConfigureAwait(false);
        return resolved is not null && snapshot.SlotOf(resolved) is null;
    }

    /// <summary>The value of the version the app is proven to resolve; null when no check proves which (<see cref="ResolvedVersion"/>).</summary>
    private async Task<string?> ResolvedKeyAsync(KeyVaultReferenceStatus status, KeySnapshot snapshot, CancellationToken cancellationToken)
    {
        var proven = await ResolvedVersion.ProvenAsync(services.Secrets, status, vaultUri, secretName, cancellationToken).ConfigureAwait(false);
        if (proven is null) return null;
        if (proven == snapshot.Latest?.Version) return snapshot.LatestValue;
        var version = await services.Secrets.GetAsync(vaultUri, secretName, proven, cancellationToken).ConfigureAwait(false);
        return version?.Value;
    }
}
