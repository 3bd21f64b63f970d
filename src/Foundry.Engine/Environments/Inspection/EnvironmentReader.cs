using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Naming;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;

using Foundry.Engine.Errors;

namespace Foundry.Engine.Environments;

/// <summary>Reads an environment's resources back from Azure (never from a local file): what Get-FoundryEnvironment reports.</summary>
public sealed class EnvironmentReader
{
    private readonly EngineServices services;

    internal EnvironmentReader(EngineServices services) => this.services = services;

    /// <summary>The environment as Azure has it (fields are null for what does not exist).</summary>
    public Task<EnvironmentInfo> ReadAsync(FoundryPolicy policy, string environment, CancellationToken cancellationToken) =>
        CloudReachability.Guard("read the environment", cancellationToken, () => ReadCoreAsync(policy, environment, cancellationToken));

    private async Task<EnvironmentInfo> ReadCoreAsync(FoundryPolicy policy, string environment, CancellationToken cancellationToken)
    {
        var settings = policy.For(environment) ?? throw new FoundryEngineException(FailureKind.InvalidRequest, "EnvironmentNotInPolicy",
            $"The policy has no entry for environment '{environment}'.", "Add it to the policy's environments (or a template such as pr-*).", target: environment);
        var names = ResourceNames.For(policy.App, environment, settings.SubscriptionId, settings.AccountKind);
        var accountId = AccountOperations.IdOf(settings.SubscriptionId, names.ResourceGroup, names.Account);
        var group = await services.Groups.GetAsync(settings.SubscriptionId, names.ResourceGroup, cancellationToken).ConfigureAwait(false);
        var account = group is null ? null : await services.Accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        var deployed = account is null ? Array.Empty<Deployments.DeploymentInfo>() : await services.Deployments.ListAsync(accountId, cancellationToken).ConfigureAwait(false);
        var deployments = deployed.Select(d => d.Name).ToArray();
        var details = await DeploymentDetailsAsync(settings, account?.Location, deployed, cancellationToken).ConfigureAwait(false);

        var (vaultGroup, vaultName) = settings.KeyVault.Create ? (names.ResourceGroup, names.KeyVault) : (settings.KeyVault.ResourceGroup!, settings.KeyVault.Name!);
        var vault = await services.Vaults.GetAsync(VaultOperations.IdOf(settings.SubscriptionId, vaultGroup, vaultName), cancellationToken).ConfigureAwait(false);
        var secret = vault is null ? null : await SecretPropertiesAsync(vault, settings.SecretName, cancellationToken).ConfigureAwait(false);

        var apps = new List<EnvironmentApp>();
        foreach (var app in settings.Apps)
        {
            var siteId = AppOperations.IdOf(settings.SubscriptionId, app.ResourceGroup, app.Name);
            var status = await services.Apps.GetAsync(siteId, cancellationToken).ConfigureAwait(false) is null
                ? null
                : await services.Apps.GetKeyVaultReferenceAsync(siteId, app.KeySetting, cancellationToken).ConfigureAwait(false);
            apps.Add(new EnvironmentApp(app.Name, siteId, app.KeySetting, status?.Status, status?.ActiveVersion));
        }
        var slot = secret is null ? null : KeyWiring.ParseSlot(secret.Tags);
        return new EnvironmentInfo(environment, settings.SubscriptionId, names.ResourceGroup, account?.ResourceId ?? accountId, names.Account, account?.ResourceId,
            account?.Location, account?.Endpoint, deployments, vaultName, settings.SecretName, secret?.Id is null ? null : $"{vault!.VaultUri.ToString().TrimEnd('/')}/secrets/{settings.SecretName}",
            secret?.Version, slot is null ? null : KeyWiring.SlotName(slot.Value), apps, account?.Tags ?? group?.Tags ?? new Dictionary<string, string>(), details)
        {
            Auth = account is null ? null : EntraWiring.TagValue(EntraWiring.Deployed(account)),
        };
    }

    /// <summary>Each deployment with its version's retirement date; without dates when the region's models list cannot be read (reading the environment needs no more).</summary>
    private async Task<IReadOnlyList<EnvironmentDeployment>> DeploymentDetailsAsync(EnvironmentPolicy settings, string? location, IReadOnlyList<Deployments.DeploymentInfo> deployed,
        CancellationToken cancellationToken)
    {
        if (deployed.Count == 0 || location is null) return Array.Empty<EnvironmentDeployment>();
        (IReadOnlyList<Deployments.ModelVersionLifecycle> Models, DateTimeOffset Now)? lifecycle = null;
        try
        {
            lifecycle = await services.Lifecycle.ListAsync(settings.SubscriptionId, location, cancellationToken).ConfigureAwait(false);
        }
        catch (FoundryEngineException e) when (e.Kind is FailureKind.Forbidden or FailureKind.NotFound)
        {
        }
        return deployed.Select(d =>
        {
            var judged = lifecycle is { } l ? Deployments.ModelLifecycle.Judge(d.Name, d.Model, d.Version, l.Models, l.Now, settings.Retirement) : null;
            return new EnvironmentDeployment(d.Name, d.Model, d.Version, d.VersionUpgradeOption, judged?.RetiresOn, judged?.DaysLeft, d.Sku, d.Capacity);
        }).ToList();
    }

    private async Task<Secrets.SecretInfo?> SecretPropertiesAsync(VaultInfo vault, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await services.Secrets.GetPropertiesAsync(vault.VaultUri, name, cancellationToken).ConfigureAwait(false);
        }
        catch (FoundryEngineException e) when (e.Kind == FailureKind.Forbidden)
        {
            // Reading the environment must not require data-plane rights; the secret is simply reported unknown.
            return null;
        }
    }
}
