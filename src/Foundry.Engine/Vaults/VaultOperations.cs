using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Vaults;

/// <summary>A Key Vault; TenantId and AccessPolicies matter on vaults without RBAC authorization.</summary>
public sealed record VaultInfo(string ResourceId, string Name, string ResourceGroupName, string Location, Uri VaultUri, bool RbacAuthorization, bool PurgeProtection,
    IReadOnlyDictionary<string, string> Tags, string? ProvisioningState = null, string? TenantId = null, IReadOnlyList<VaultAccessPolicy>? AccessPolicies = null)
{
    /// <summary>The secret permissions of <paramref name="required"/> the principal's access policies do not grant ("all" grants every one).</summary>
    public IReadOnlyList<string> MissingSecretPermissions(string objectId, IEnumerable<string> required)
    {
        var granted = (AccessPolicies ?? Array.Empty<VaultAccessPolicy>())
            .Where(p => p.ObjectId.Equals(objectId, StringComparison.OrdinalIgnoreCase))
            .SelectMany(p => p.SecretPermissions).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return granted.Contains("all") ? Array.Empty<string>() : required.Where(r => !granted.Contains(r)).ToList();
    }
}

/// <summary>One access policy of a vault: the principal and its secret permissions.</summary>
public sealed record VaultAccessPolicy(string ObjectId, IReadOnlyList<string> SecretPermissions);

/// <summary>A soft-deleted vault: purge protection keeps it (and its name) until <paramref name="ScheduledPurgeDate"/>.</summary>
public sealed record DeletedVaultInfo(string ResourceId, string Name, string Location, bool PurgeProtection, DateTimeOffset? ScheduledPurgeDate);

/// <summary>What a vault Foundry creates looks like.</summary>
/// <param name="SubscriptionId">Subscription.</param>
/// <param name="ResourceGroupName">Resource group.</param>
/// <param name="Name">Vault name (3–24, globally unique).</param>
/// <param name="Location">Region.</param>
/// <param name="TenantId">Tenant of the identities that will read it.</param>
/// <param name="PurgeProtection">Irreversible: on for long-lived environments, off for ephemeral ones.</param>
/// <param name="Tags">Tags.</param>
public sealed record VaultSpec(string SubscriptionId, string ResourceGroupName, string Name, string Location, string TenantId, bool PurgeProtection,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>Microsoft.KeyVault vaults (RBAC authorization, soft delete) through GenericResource.</summary>
public sealed class VaultOperations
{
    private readonly ArmClient arm;
    private readonly ArmRestClient rest;
    private readonly TimeSpan pollingInterval;

    internal VaultOperations(ArmClient arm, TimeSpan pollingInterval)
    {
        this.arm = arm;
        rest = new ArmRestClient(arm);
        this.pollingInterval = pollingInterval;
    }

    /// <summary>The vault id.</summary>
    public static string IdOf(string subscriptionId, string resourceGroupName, string name) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{name}";

    /// <summary>The vault, or null.</summary>
    public async Task<VaultInfo?> GetAsync(string resourceId, CancellationToken cancellationToken) =>
        await GenericResources.GetAsync(arm, resourceId, new FailureContext("read the Key Vault", resourceId), cancellationToken).ConfigureAwait(false) is { } data ? ToInfo(data) : null;

    /// <summary>Creates or updates the vault: RBAC authorization, soft delete, purge protection as asked.</summary>
    public Task<EngineOperation> StartCreateOrUpdateAsync(VaultSpec spec, CancellationToken cancellationToken)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        var id = IdOf(spec.SubscriptionId, spec.ResourceGroupName, spec.Name);
        var context = new FailureContext($"create Key Vault '{spec.Name}'", id, "Key Vault Contributor", spec.Location);
        var properties = new Dictionary<string, object>
        {
            ["tenantId"] = spec.TenantId,
            ["sku"] = new Dictionary<string, string> { ["family"] = "A", ["name"] = "standard" },
            ["accessPolicies"] = Array.Empty<object>(),
            ["enableRbacAuthorization"] = true,
            ["enableSoftDelete"] = true,
            ["softDeleteRetentionInDays"] = spec.PurgeProtection ? 90 : 7,
        };
        if (spec.PurgeProtection) properties["enablePurgeProtection"] = true;
        var data = new GenericResourceData(new AzureLocation(spec.Location)) { Properties = BinaryData.FromString(JsonSerializer.Serialize(properties)) };
        foreach (var tag in spec.Tags) data.Tags[tag.Key] = tag.Value;
        return GenericResources.StartPutAsync(arm, id, data, context, pollingInterval, cancellationToken);
    }

    /// <summary>Recovers a soft-deleted vault (PUT with createMode recover), with its secrets and settings.</summary>
    public Task<EngineOperation> StartRecoverAsync(string subscriptionId, string resourceGroupName, string name, string location, string tenantId, CancellationToken cancellationToken)
    {
        var id = IdOf(subscriptionId, resourceGroupName, name);
        var context = new FailureContext($"recover the deleted Key Vault '{name}'", id, "Key Vault Contributor", location);
        var properties = new Dictionary<string, object> { ["tenantId"] = tenantId, ["sku"] = new Dictionary<string, string> { ["family"] = "A", ["name"] = "standard" }, ["createMode"] = "recover" };
        var data = new GenericResourceData(new AzureLocation(location)) { Properties = BinaryData.FromString(JsonSerializer.Serialize(properties)) };
        return GenericResources.StartPutAsync(arm, id, data, context, pollingInterval, cancellationToken);
    }

    /// <summary>
    /// Adds secret permissions to the principal's access policy (Vaults_UpdateAccessPolicy with operation kind add):
    /// merged into its policy or added as a new one; other principals' policies are untouched, unlike a vault PUT.
    /// </summary>
    public async Task AddSecretAccessPolicyAsync(VaultInfo vault, string tenantId, string objectId, IReadOnlyList<string> secretPermissions, CancellationToken cancellationToken)
    {
        await rest.SendAsync(RequestMethod.Put, $"{vault.ResourceId}/accessPolicies/add?api-version={ApiVersions.KeyVault}", SecretPermissionsBody(tenantId, objectId, secretPermissions),
            new FailureContext($"add a Key Vault access policy for principal {objectId}", vault.ResourceId, "Key Vault Contributor"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes secret permissions away from the principal's access policy (Vaults_UpdateAccessPolicy, operation kind
    /// remove); the principal's other permissions and every other principal's policies stay.
    /// </summary>
    public async Task RemoveSecretAccessPolicyAsync(VaultInfo vault, string tenantId, string objectId, IReadOnlyList<string> secretPermissions, CancellationToken cancellationToken)
    {
        await rest.SendAsync(RequestMethod.Put, $"{vault.ResourceId}/accessPolicies/remove?api-version={ApiVersions.KeyVault}", SecretPermissionsBody(tenantId, objectId, secretPermissions),
            new FailureContext($"remove Key Vault access-policy permissions of principal {objectId}", vault.ResourceId, "Key Vault Contributor"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Vaults_UpdateAccessPolicy body naming one principal's secret permissions (for add or remove).</summary>
    private static Dictionary<string, object> SecretPermissionsBody(string tenantId, string objectId, IReadOnlyList<string> secretPermissions) => new()
    {
        ["properties"] = new Dictionary<string, object>
        {
            ["accessPolicies"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["tenantId"] = tenantId,
                    ["objectId"] = objectId,
                    ["permissions"] = new Dictionary<string, object> { ["secrets"] = secretPermissions },
                },
            },
        },
    };

    /// <summary>Deletes the vault (Azure soft-deletes it); false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(string resourceId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Delete, $"{resourceId}?api-version={ApiVersions.KeyVault}", null,
            new FailureContext("delete the Key Vault", resourceId, "Key Vault Contributor"), cancellationToken, 404).ConfigureAwait(false);
        return result.Status is 200 or 202;
    }

    /// <summary>The soft-deleted vault holding the name in that location, or null.</summary>
    public async Task<DeletedVaultInfo?> GetDeletedAsync(string subscriptionId, string location, string name, CancellationToken cancellationToken)
    {
        var id = DeletedIdOf(subscriptionId, location, name);
        var probe = await rest.SendAsync(RequestMethod.Get, $"{id}?api-version={ApiVersions.KeyVault}", null,
            new FailureContext("read the deleted Key Vault", id), cancellationToken, 404).ConfigureAwait(false);
        if (probe.Status == 404) return null;
        // Shape per the Vaults_GetDeleted example (getDeletedVault.json): properties.purgeProtectionEnabled and scheduledPurgeDate.
        using var document = probe.Json();
        var properties = document.RootElement.TryGetProperty("properties", out var p) ? p : default;
        bool purgeProtected = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("purgeProtectionEnabled", out var flag) && flag.ValueKind == JsonValueKind.True;
        DateTimeOffset? scheduled = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("scheduledPurgeDate", out var date) &&
                                    date.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(date.GetString(), System.Globalization.CultureInfo.InvariantCulture,
                                        System.Globalization.DateTimeStyles.AssumeUniversal, out var when) ? when : null;
        return new DeletedVaultInfo(id, name, location, purgeProtected, scheduled);
    }

    /// <summary>Whether a soft-deleted vault holds the name in that location.</summary>
    public async Task<bool> DeletedExistsAsync(string subscriptionId, string location, string name, CancellationToken cancellationToken) =>
        await GetDeletedAsync(subscriptionId, location, name, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>
    /// Purges a soft-deleted vault so its name can be reused. Callers never pass a purge-protected one: Azure answers
    /// its purge 405 MethodNotAllowed "Operation 'DeletedVaultPurge' is not allowed" and purges it itself on its
    /// scheduled purge date, so it is recovered (up) or reported as soft-deleted until then (down).
    /// </summary>
    public async Task PurgeAsync(DeletedVaultInfo deleted, CancellationToken cancellationToken)
    {
        if (deleted is null) throw new ArgumentNullException(nameof(deleted));
        var context = new FailureContext("purge the deleted Key Vault", deleted.ResourceId, "Key Vault Contributor");
        var operation = await rest.StartAsync(RequestMethod.Post, $"{deleted.ResourceId}/purge", null, context, cancellationToken, ApiVersions.KeyVault).ConfigureAwait(false);
        await new EngineOperation(operation, deleted.ResourceId, context, pollingInterval).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Purges the soft-deleted vault of that name, if any (see <see cref="PurgeAsync"/>); false when none was found.</summary>
    public async Task<bool> PurgeDeletedAsync(string subscriptionId, string location, string name, CancellationToken cancellationToken)
    {
        if (await GetDeletedAsync(subscriptionId, location, name, cancellationToken).ConfigureAwait(false) is not { } deleted) return false;
        await PurgeAsync(deleted, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static string DeletedIdOf(string subscriptionId, string location, string name) =>
        $"/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}";

    private static VaultInfo ToInfo(GenericResourceData data)
    {
        using var properties = JsonDocument.Parse(data.Properties?.ToString() is { Length: > 0 } text ? text : "{}");
        var root = properties.RootElement;
        var uri = root.TryGetProperty("vaultUri", out var u) && u.GetString() is { } vaultUri ? new Uri(vaultUri) : new Uri($"https://{data.Name}.vault.azure.net/");
        bool Flag(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
        var id = new ResourceIdentifier(data.Id.ToString());
        return new VaultInfo(data.Id.ToString(), data.Name, id.ResourceGroupName ?? "", data.Location.Name, uri, Flag("enableRbacAuthorization"), Flag("enablePurgeProtection"),
            new Dictionary<string, string>(data.Tags, StringComparer.OrdinalIgnoreCase), root.TryGetProperty("provisioningState", out var state) ? state.GetString() : null,
            root.TryGetProperty("tenantId", out var tenant) ? tenant.GetString() : null, AccessPoliciesOf(root));
    }

    private static List<VaultAccessPolicy> AccessPoliciesOf(JsonElement root)
    {
        var list = new List<VaultAccessPolicy>();
        if (!root.TryGetProperty("accessPolicies", out var policies) || policies.ValueKind != JsonValueKind.Array) return list;
        foreach (var policy in policies.EnumerateArray())
        {
            if (!policy.TryGetProperty("objectId", out var objectId) || objectId.GetString() is not { } id) continue;
            var secrets = policy.TryGetProperty("permissions", out var permissions) && permissions.TryGetProperty("secrets", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().Select(p => p.GetString()).OfType<string>().ToList() : new List<string>();
            list.Add(new VaultAccessPolicy(id, secrets));
        }
        return list;
    }
}
