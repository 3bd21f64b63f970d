using Foundry.Engine.Apps;
using Foundry.Engine.Errors;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;

namespace Foundry.Engine.Environments;

/// <summary>
/// Data-plane access on an existing vault authorized by access policies (enableRbacAuthorization false), where role
/// assignments grant nothing: the operator and each app's reference principal get secret permissions through
/// accessPolicies/add (never a vault PUT, which would replace other principals' policies), or, when the policy says
/// keyVault.accessPolicies "refuse", up stops before its first write, naming what is missing.
/// </summary>
internal sealed class VaultAccessPolicies
{
    /// <summary>What up, rotation and down do to the secret: read and write it, list its versions, recover, delete or purge it.</summary>
    public static readonly IReadOnlyList<string> OperatorSecretPermissions = new[] { "get", "list", "set", "delete", "recover", "purge" };
    /// <summary>What App Service needs to resolve a Key Vault reference.</summary>
    public static readonly IReadOnlyList<string> AppSecretPermissions = new[] { "get" };

    private readonly EngineServices services;
    private readonly EnvironmentRun run;

    public VaultAccessPolicies(EngineServices services, EnvironmentRun run)
    {
        this.services = services;
        this.run = run;
    }

    /// <summary>Adds the principal's missing permissions; true when it added (or, under WhatIf, planned) them.</summary>
    public async Task<bool> EnsureAsync(VaultInfo vault, string principalId, IReadOnlyList<string> permissions, string who, CancellationToken cancellationToken)
    {
        var missing = vault.MissingSecretPermissions(principalId, permissions);
        if (missing.Count == 0) return false;
        if (run.Settings.KeyVault.AccessPolicies == VaultAccessPolicyMode.Refuse) throw Refused(vault, new[] { $"{who} ({principalId}): secrets {string.Join(", ", missing)}" });
        var tenant = vault.TenantId ?? await services.ResolveTenantAsync(run.Subscription, cancellationToken).ConfigureAwait(false);
        await run.ChangeAsync(new PlannedChange("Add", "Microsoft.KeyVault/vaults/accessPolicies", vault.ResourceId, $"{who} needs secrets {string.Join(", ", missing)} (access-policy vault; other policies kept)"),
            () => services.Vaults.AddSecretAccessPolicyAsync(vault, tenant, principalId, missing, cancellationToken)).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Under "refuse", stops up before any write when the policy's existing vault uses access policies and the
    /// operator or an app's reference principal lacks a permission; apps missing or without identity are left to
    /// the wiring, which reports them.
    /// </summary>
    public async Task RefuseEarlyAsync(CancellationToken cancellationToken)
    {
        var settings = run.Settings.KeyVault;
        if (settings.Create || settings.AccessPolicies != VaultAccessPolicyMode.Refuse) return;
        if (await services.Vaults.GetAsync(run.VaultId, cancellationToken).ConfigureAwait(false) is not { RbacAuthorization: false } vault) return;
        var missing = new List<string>();
        void Check(string who, string principal, IReadOnlyList<string> permissions)
        {
            if (vault.MissingSecretPermissions(principal, permissions) is { Count: > 0 } lacking) missing.Add($"{who} ({principal}): secrets {string.Join(", ", lacking)}");
        }
        Check("the operator", await services.CurrentPrincipal(cancellationToken).ConfigureAwait(false), OperatorSecretPermissions);
        foreach (var app in run.Settings.Apps)
        {
            var site = await services.Apps.GetAsync(AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name), cancellationToken).ConfigureAwait(false);
            if (site?.WiringPrincipalId is { } principal) Check($"app '{app.Name}'", principal, AppSecretPermissions);
        }
        if (missing.Count > 0) throw Refused(vault, missing);
    }

    private static FoundryEngineException Refused(VaultInfo vault, IEnumerable<string> missing) =>
        new(FailureKind.InvalidRequest, EngineErrorIds.KeyVaultAccessPolicyMissing,
            $"The Key Vault '{vault.Name}' is authorized by access policies (enableRbacAuthorization is false) and lacks: {string.Join("; ", missing)}. The policy says keyVault.accessPolicies \"refuse\", so nothing was changed.",
            "Have the vault's owners add those secret permissions (az keyvault set-policy --name <vault> --object-id <id> --secret-permissions …), or set keyVault.accessPolicies to \"add\" so Foundry adds them, then run again.",
            target: vault.ResourceId);
}
