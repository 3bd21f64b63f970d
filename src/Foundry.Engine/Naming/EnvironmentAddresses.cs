using Foundry.Engine.Accounts;
using Foundry.Engine.Environments;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;

namespace Foundry.Engine.Naming;

/// <summary>
/// Where an environment's resources live, derived from the policy alone (no Azure call): the names and ids output
/// objects carry so they bind Az cmdlets by property name (ResourceGroupName, AccountName, VaultName, SecretName).
/// </summary>
/// <param name="SubscriptionId">The environment's subscription.</param>
/// <param name="ResourceGroupName">The group holding the AI account (rg-{app}-{env}).</param>
/// <param name="AccountName">The AI account.</param>
/// <param name="AccountId">The AI account's resource id.</param>
/// <param name="VaultResourceGroupName">The vault's group: the environment's own, or the policy's existing vault's.</param>
/// <param name="VaultName">The Key Vault holding the key.</param>
/// <param name="VaultId">The vault's resource id.</param>
/// <param name="SecretName">The secret holding the active key.</param>
public sealed record EnvironmentAddresses(string SubscriptionId, string ResourceGroupName, string AccountName, string AccountId,
    string VaultResourceGroupName, string VaultName, string VaultId, string SecretName)
{
    /// <summary>The addresses of <paramref name="environment"/>, or null when the policy has no entry for it.</summary>
    public static EnvironmentAddresses? For(FoundryPolicy policy, string environment)
    {
        if (policy is null) throw new ArgumentNullException(nameof(policy));
        var settings = policy.For(environment);
        if (settings is null) return null;
        var names = ResourceNames.For(policy.App, environment, settings.SubscriptionId, settings.AccountKind);
        var (vaultGroup, vaultName) = settings.KeyVault.Create ? (names.ResourceGroup, names.KeyVault) : (settings.KeyVault.ResourceGroup!, settings.KeyVault.Name!);
        return new EnvironmentAddresses(settings.SubscriptionId, names.ResourceGroup, names.Account, AccountOperations.IdOf(settings.SubscriptionId, names.ResourceGroup, names.Account),
            vaultGroup, vaultName, VaultOperations.IdOf(settings.SubscriptionId, vaultGroup, vaultName), settings.SecretName);
    }

    /// <summary>
    /// The full resource id a planned change acts on. Resource Manager targets are ids already; a secret is addressed
    /// by its vault's id plus /secrets/{name} (as Resource Manager names vault secrets), never by a bare name or only
    /// its data-plane URI; anything else named by the vault's bare name is the vault.
    /// </summary>
    public string ResourceIdOf(PlannedChange change)
    {
        if (change is null) throw new ArgumentNullException(nameof(change));
        var target = change.Target;
        if (target.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase)) return target;
        if (Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
        {
            // https://{vault}.vault.azure.net/secrets/{name}[/{version}] or …/deletedsecrets/{name}
            var segments = uri.AbsolutePath.Trim('/').Split('/');
            if (segments.Length >= 2) return $"{VaultId}/{segments[0]}/{segments[1]}";
            return VaultId;
        }
        if (string.Equals(target, VaultName, StringComparison.OrdinalIgnoreCase)) return VaultId;
        if (change.ResourceType.IndexOf("secret", StringComparison.OrdinalIgnoreCase) >= 0) return $"{VaultId}/secrets/{target}";
        return target;
    }
}
