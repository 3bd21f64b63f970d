using Foundry.Engine.Apps;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.Environments;

/// <summary>
/// Which secret version an app's Key Vault reference provably holds. Azure can report a reference <c>Resolved</c> without
/// an <c>activeVersion</c>; the app then keeps whatever version it resolved in the last 24 hours, so nothing is assumed:
/// the version is known from <c>activeVersion</c>, from a reference that pins one (<c>secretVersion</c>), or when the
/// secret has a single version the app could hold. Used by rotation's guard, up's and rotation's confirmation and
/// Test-FoundryEnvironment alike (docs/rotation.md).
/// </summary>
internal static class ResolvedVersion
{
    /// <summary>The version the reference is proven to resolve, or null: not Resolved, or Resolved on an unknown version.</summary>
    public static async Task<string?> ProvenAsync(SecretOperations secrets, KeyVaultReferenceStatus? status, Uri vaultUri, string secretName, CancellationToken cancellationToken)
    {
        if (status is not { Status: "Resolved" }) return null;
        if (status.ActiveVersion is not null) return status.ActiveVersion;
        if (status.SecretVersion is not null) return status.SecretVersion;
        var versions = await secrets.ListVersionsAsync(vaultUri, secretName, cancellationToken).ConfigureAwait(false);
        return versions.Count == 1 ? versions[0].Version : null;
    }

    /// <summary>How to name an unproven version in messages.</summary>
    public const string Unreported = "an unreported version (Azure reports no active version, so it may still hold an older one)";
}
