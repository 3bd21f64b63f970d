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
/// <para>
/// Access policies carry no owner, so what Foundry added is recorded on the vault, one tag per environment and
/// principal: <c>foundry-kvap-{environment}-{objectId} = list,set,…</c>, the permissions that environment relies on
/// and that Foundry (not a person) granted. A principal used by two environments (the operator, an identity two apps
/// share) gets one tag per environment; down removes only the permissions its own tag names and no other
/// environment's tag still names, then its tag, so a person's permissions and another environment's are never taken.
/// </para>
/// </summary>
internal sealed class VaultAccessPolicies
{
    /// <summary>What up, rotation and down do to the secret: read and write it, list its versions, recover, delete or purge it.</summary>
    public static readonly IReadOnlyList<string> OperatorSecretPermissions = new[] { "get", "list", "set", "delete", "recover", "purge" };
    /// <summary>What App Service needs to resolve a Key Vault reference.</summary>
    public static readonly IReadOnlyList<string> AppSecretPermissions = new[] { "get" };
    /// <summary>Prefix of the ownership tags on the vault.</summary>
    public const string TagPrefix = "foundry-kvap-";

    private readonly EngineServices services;
    private readonly EnvironmentRun run;

    public VaultAccessPolicies(EngineServices services, EnvironmentRun run)
    {
        this.services = services;
        this.run = run;
    }

    /// <summary>The tag recording what Foundry granted <paramref name="principalId"/> for <paramref name="environment"/>.</summary>
    public static string TagOf(string environment, string principalId) => $"{TagPrefix}{environment}-{principalId}".ToLowerInvariant();

    /// <summary>The permissions the ownership tags on the vault record for the principal, except <paramref name="exceptTag"/>'s.</summary>
    private static HashSet<string> Recorded(IReadOnlyDictionary<string, string> tags, string principalId, string? exceptTag = null) =>
        tags.Where(t => t.Key.StartsWith(TagPrefix, StringComparison.OrdinalIgnoreCase) && t.Key.EndsWith("-" + principalId, StringComparison.OrdinalIgnoreCase) &&
                        !t.Key.Equals(exceptTag, StringComparison.OrdinalIgnoreCase))
            .SelectMany(t => Permissions(t.Value)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> Permissions(string value) => value.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim());

    /// <summary>Adds the principal's missing permissions and records this environment's claim; true when it added (or, under WhatIf, planned) them.</summary>
    public async Task<bool> EnsureAsync(VaultInfo vault, string principalId, IReadOnlyList<string> permissions, string who, CancellationToken cancellationToken)
    {
        var missing = vault.MissingSecretPermissions(principalId, permissions);
        if (missing.Count > 0 && run.Settings.KeyVault.AccessPolicies == VaultAccessPolicyMode.Refuse) throw Refused(vault, new[] { $"{who} ({principalId}): secrets {string.Join(", ", missing)}" });
        if (run.Settings.KeyVault.AccessPolicies == VaultAccessPolicyMode.Refuse) return false;
        if (missing.Count > 0)
        {
            var tenant = vault.TenantId ?? await services.ResolveTenantAsync(run.Subscription, cancellationToken).ConfigureAwait(false);
            await run.ChangeAsync(new PlannedChange("Add", "Microsoft.KeyVault/vaults/accessPolicies", vault.ResourceId, $"{who} needs secrets {string.Join(", ", missing)} (access-policy vault; other policies kept)"),
                () => services.Vaults.AddSecretAccessPolicyAsync(vault, tenant, principalId, missing, cancellationToken)).ConfigureAwait(false);
        }
        // This environment relies on what Foundry granted: what it added now and what another environment's claim
        // records; a permission the principal held otherwise (a person's) is never claimed, so never removed. The tag
        // is written after the grant: a run stopped between the two leaves a permission behind, never takes one.
        var granted = Recorded(vault.Tags, principalId);
        granted.UnionWith(missing);
        var claim = string.Join(",", permissions.Where(granted.Contains));
        var tag = TagOf(run.Environment, principalId);
        if (claim.Length > 0 && !(vault.Tags.TryGetValue(tag, out var recorded) && recorded == claim))
        {
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Resources/tags", vault.ResourceId, $"record that Foundry granted {who} secrets {claim} for {run.Environment}"),
                () => services.Tags.MergeAsync(vault.ResourceId, new Dictionary<string, string> { [tag] = claim }, cancellationToken)).ConfigureAwait(false);
        }
        return missing.Count > 0;
    }

    /// <summary>
    /// Down: takes away the permissions this environment's tag records for the principal that no other environment's
    /// tag still records, then the tag. Nothing happens without the tag (a person's policy, or one Foundry did not add).
    /// </summary>
    public async Task ReleaseAsync(string vaultId, string principalId, string who, Func<string, string, string, Func<Task<bool>>, Task> step, CancellationToken cancellationToken)
    {
        if (run.Settings.KeyVault.Create) return;
        if (await services.Vaults.GetAsync(vaultId, cancellationToken).ConfigureAwait(false) is not { RbacAuthorization: false } vault) return;
        var tag = TagOf(run.Environment, principalId);
        if (!vault.Tags.TryGetValue(tag, out var claimed)) return;
        var others = Recorded(vault.Tags, principalId, exceptTag: tag);
        var held = new HashSet<string>(vault.AccessPolicies?.Where(p => p.ObjectId.Equals(principalId, StringComparison.OrdinalIgnoreCase)).SelectMany(p => p.SecretPermissions) ?? Array.Empty<string>(),
            StringComparer.OrdinalIgnoreCase);
        var remove = Permissions(claimed).Where(p => !others.Contains(p) && held.Contains(p)).ToList();
        if (remove.Count > 0)
        {
            var tenant = vault.TenantId ?? await services.ResolveTenantAsync(run.Subscription, cancellationToken).ConfigureAwait(false);
            await step("Microsoft.KeyVault/vaults/accessPolicies", $"{vaultId}/accessPolicies/{principalId}",
                $"remove secrets {string.Join(", ", remove)} Foundry granted {who} for this environment (other permissions and policies kept)", async () =>
                {
                    await services.Vaults.RemoveSecretAccessPolicyAsync(vault, tenant, principalId, remove, cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
        }
        await step("Microsoft.Resources/tags", $"{vaultId}/providers/Microsoft.Resources/tags/default", $"release {tag}", async () =>
        {
            await services.Tags.DeleteAsync(vaultId, new Dictionary<string, string> { [tag] = claimed }, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
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
