using System.Text.RegularExpressions;
using Foundry.Emulator.KeyVault;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Web;

/// <summary>
/// Resolves an app setting's @Microsoft.KeyVault(...) reference the way App Service does: with the site's managed
/// identity, which needs read access to the secret (RBAC or access policy); the result is cached by the app.
/// </summary>
public static class KeyVaultReferenceResolver
{
    private static readonly Regex SecretUri = new(@"^@Microsoft\.KeyVault\(\s*SecretUri=https://(?<vault>[a-zA-Z0-9-]+)\.vault\.[^/]+/secrets/(?<name>[^/)\s]+)/?(?<version>[0-9a-fA-F]{32})?/?\s*\)$", RegexOptions.Compiled);
    private static readonly Regex ByName = new(@"^@Microsoft\.KeyVault\(\s*VaultName=(?<vault>[^;)]+);\s*SecretName=(?<name>[^;)]+)(?:;\s*SecretVersion=(?<version>[^;)]+))?\s*\)$", RegexOptions.Compiled);

    public static bool IsReference(string value) => value.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase);

    public static ResolvedReference Resolve(EmulatorState state, ArmResource site, string reference, DateTimeOffset now)
    {
        var match = SecretUri.Match(reference.Trim());
        if (!match.Success) match = ByName.Match(reference.Trim());
        if (!match.Success) return Result("InvalidSyntax", reference, now, details: "The reference is not a valid Key Vault reference.");
        var vaultName = match.Groups["vault"].Value;
        var secretName = match.Groups["name"].Value;
        var requested = match.Groups["version"].Success && match.Groups["version"].Value.Length > 0 ? match.Groups["version"].Value : null;

        var principal = site.Identity?["principalId"]?.GetValue<string>();
        if (principal is null || site.Identity?["type"]?.GetValue<string>()?.Contains("SystemAssigned", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Result("MSINotEnabled", reference, now, vaultName, secretName, requested, "The app has no system-assigned managed identity to resolve Key Vault references.");
        }
        var vault = SecretAccess.LiveVault(state, vaultName);
        if (vault is null) return Result("VaultNotFound", reference, now, vaultName, secretName, requested, $"Key Vault '{vaultName}' was not found.");
        if (!SecretAccess.CanRead(state, vault, principal, now))
        {
            return Result("AccessToKeyVaultDenied", reference, now, vaultName, secretName, requested,
                $"Key Vault reference was not able to be resolved because site was denied access to Key Vault reference's vault.");
        }
        var entry = state.Vaults.GetValueOrDefault(vault.Name.ToLowerInvariant())?.Secrets.GetValueOrDefault(secretName.ToLowerInvariant());
        if (entry is null || entry.IsDeleted || entry.Latest is null)
        {
            return Result("SecretNotFound", reference, now, vaultName, secretName, requested, $"Secret '{secretName}' was not found in vault '{vaultName}'.");
        }
        var version = requested is null ? entry.Versions.LastOrDefault(v => v.Enabled) : entry.Versions.FirstOrDefault(v => v.Version.Equals(requested, StringComparison.OrdinalIgnoreCase));
        if (version is null) return Result("SecretVersionNotFound", reference, now, vaultName, secretName, requested, $"Version '{requested}' of secret '{secretName}' was not found.");
        var resolved = Result("Resolved", reference, now, vaultName, secretName, requested, null);
        resolved.ActiveVersion = version.Version;
        resolved.Value = version.Value;
        return resolved;
    }

    private static ResolvedReference Result(string status, string reference, DateTimeOffset now, string? vault = null, string? secret = null, string? version = null, string? details = null) =>
        new() { Status = status, Reference = reference, VaultName = vault, SecretName = secret, SecretVersion = version, Details = details, ResolvedAt = now };
}
