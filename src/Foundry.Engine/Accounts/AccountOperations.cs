using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Models;
using Azure.ResourceManager.Resources;
using Azure.ResourceManager.Resources.Models;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Accounts;

/// <summary>
/// Microsoft.CognitiveServices accounts: create/update and delete through GenericResource (the SDK's own LRO
/// handling), keys and soft-deleted accounts through the ArmClient's pipeline. Keys never leave the Engine.
/// </summary>
public sealed class AccountOperations
{
    private const string AccountType = "Microsoft.CognitiveServices/accounts";
    private readonly ArmClient arm;
    private readonly ArmRestClient rest;
    private readonly TimeSpan pollingInterval;

    internal AccountOperations(ArmClient arm, TimeSpan pollingInterval)
    {
        this.arm = arm;
        rest = new ArmRestClient(arm);
        this.pollingInterval = pollingInterval;
    }

    /// <summary>The account id for a subscription, resource group and name.</summary>
    public static string IdOf(string subscriptionId, string resourceGroupName, string name) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{AccountType}/{name}";

    /// <summary>The account, or null when it does not exist.</summary>
    public async Task<AccountInfo?> GetAsync(string resourceId, CancellationToken cancellationToken) =>
        await GenericResources.GetAsync(arm, resourceId, new FailureContext("read the AI account", resourceId), cancellationToken).ConfigureAwait(false) is { } data ? ToInfo(data) : null;

    /// <summary>Starts creating or updating the account (201 + Azure-AsyncOperation on create).</summary>
    public Task<EngineOperation> StartCreateOrUpdateAsync(AccountSpec spec, CancellationToken cancellationToken)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        var id = IdOf(spec.SubscriptionId, spec.ResourceGroupName, spec.Name);
        var context = new FailureContext($"{(spec.Restore ? "restore" : "create or update")} AI account '{spec.Name}'", id, "Cognitive Services Contributor", spec.Location);
        var properties = new Dictionary<string, object> { ["customSubDomainName"] = spec.CustomSubdomain, ["publicNetworkAccess"] = "Enabled" };
        if (spec.Restore) properties["restore"] = true;
        if (spec.DisableLocalAuth) properties["disableLocalAuth"] = true;
        var data = new GenericResourceData(new AzureLocation(spec.Location))
        {
            Kind = spec.Kind,
            Sku = new ResourcesSku { Name = "S0" },
            Identity = new ManagedServiceIdentity(ManagedServiceIdentityType.SystemAssigned),
            Properties = BinaryData.FromString(JsonSerializer.Serialize(properties)),
        };
        foreach (var tag in spec.Tags) data.Tags[tag.Key] = tag.Value;
        return GenericResources.StartPutAsync(arm, id, data, context, pollingInterval, cancellationToken);
    }

    /// <summary>
    /// Turns the account's key authentication off or on. PATCH (Accounts_Update) sends only disableLocalAuth, so network
    /// rules and the rest of the account stay as they are (a PUT would reset what it omits). Returns the account as
    /// Azure keeps it: a modify policy may have rewritten the value.
    /// </summary>
    public async Task<AccountInfo?> SetLocalAuthDisabledAsync(string resourceId, bool disabled, CancellationToken cancellationToken)
    {
        await rest.SendAsync(RequestMethod.Patch, $"{resourceId}?api-version={ApiVersions.CognitiveServices}",
            new Dictionary<string, object> { ["properties"] = new Dictionary<string, object> { ["disableLocalAuth"] = disabled } },
            new FailureContext(disabled ? "disable key authentication on the AI account" : "enable key authentication on the AI account", resourceId, "Cognitive Services Contributor"),
            cancellationToken).ConfigureAwait(false);
        return await GetAsync(resourceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts deleting the account (Azure soft-deletes it). A missing account is already deleted: null.</summary>
    public Task<EngineOperation?> StartDeleteAsync(string resourceId, CancellationToken cancellationToken) =>
        GenericResources.StartDeleteAsync(arm, resourceId, new FailureContext("delete the AI account", resourceId, "Cognitive Services Contributor"), pollingInterval, cancellationToken);

    /// <summary>The id of the soft-deleted account with this name (what purge and get-deleted address).</summary>
    public static string DeletedIdOf(string subscriptionId, string location, string resourceGroupName, string name) =>
        $"/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/{resourceGroupName}/deletedAccounts/{name}";

    /// <summary>The soft-deleted account, or null when none holds the name.</summary>
    public async Task<AccountInfo?> GetDeletedAsync(string subscriptionId, string location, string resourceGroupName, string name, CancellationToken cancellationToken)
    {
        var id = DeletedIdOf(subscriptionId, location, resourceGroupName, name);
        var result = await rest.SendAsync(RequestMethod.Get, $"{id}?api-version={ApiVersions.CognitiveServices}", null,
            new FailureContext("read the soft-deleted AI account", id), cancellationToken, 404).ConfigureAwait(false);
        if (result.Status == 404) return null;
        using var json = result.Json();
        return ToInfo(json.RootElement);
    }

    /// <summary>Starts purging a soft-deleted account so its name and quota are free; null when there is nothing to purge.</summary>
    public Task<EngineOperation?> StartPurgeAsync(string subscriptionId, string location, string resourceGroupName, string name, CancellationToken cancellationToken)
    {
        var id = DeletedIdOf(subscriptionId, location, resourceGroupName, name);
        return GenericResources.StartDeleteAsync(arm, id, new FailureContext("purge the soft-deleted AI account", id, "Cognitive Services Contributor (at subscription scope)"), pollingInterval, cancellationToken);
    }

    /// <summary>Fingerprints of the account's current keys.</summary>
    public async Task<KeyFingerprints> GetKeyFingerprintsAsync(string resourceId, CancellationToken cancellationToken) =>
        (await ListKeysAsync(resourceId, cancellationToken).ConfigureAwait(false)).Fingerprints;

    internal async Task<AccountKeys> ListKeysAsync(string resourceId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Post, $"{resourceId}/listKeys?api-version={ApiVersions.CognitiveServices}", null,
            new FailureContext("list the AI account keys", resourceId, "Cognitive Services Contributor"), cancellationToken).ConfigureAwait(false);
        return ReadKeys(result);
    }

    internal async Task<AccountKeys> RegenerateKeyAsync(string resourceId, KeySlot slot, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Post, $"{resourceId}/regenerateKey?api-version={ApiVersions.CognitiveServices}",
            new Dictionary<string, string> { ["keyName"] = slot.ToString() },
            new FailureContext($"regenerate {slot} of the AI account", resourceId, "Cognitive Services Contributor"), cancellationToken).ConfigureAwait(false);
        return ReadKeys(result);
    }

    private static AccountKeys ReadKeys(RestResult result)
    {
        using var json = result.Json();
        var root = json.RootElement;
        return new AccountKeys(root.GetProperty("key1").GetString() ?? "", root.GetProperty("key2").GetString() ?? "");
    }

    private static AccountInfo ToInfo(GenericResourceData data)
    {
        using var properties = JsonDocument.Parse(data.Properties?.ToString() is { Length: > 0 } text ? text : "{}");
        var id = new ResourceIdentifier(data.Id.ToString());
        return new AccountInfo(data.Id.ToString(), data.Name, id.SubscriptionId ?? "", id.ResourceGroupName ?? "", data.Location.Name, data.Kind ?? "",
            Text(properties.RootElement, "endpoint"), Text(properties.RootElement, "customSubDomainName"), Text(properties.RootElement, "provisioningState"),
            data.Identity?.PrincipalId?.ToString(), new Dictionary<string, string>(data.Tags, StringComparer.OrdinalIgnoreCase),
            properties.RootElement.TryGetProperty("disableLocalAuth", out var disabled) && disabled.ValueKind == JsonValueKind.True);
    }

    private static AccountInfo ToInfo(JsonElement body)
    {
        var id = body.GetProperty("id").GetString() ?? "";
        var properties = body.TryGetProperty("properties", out var p) ? p : default;
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (body.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            foreach (var tag in t.EnumerateObject()) tags[tag.Name] = tag.Value.GetString() ?? "";
        }
        var rg = properties.ValueKind == JsonValueKind.Object && Text(properties, "resourceGroup") is { } fromProps ? fromProps : SegmentAfter(id, "resourceGroups");
        return new AccountInfo(id, Text(body, "name") ?? "", SegmentAfter(id, "subscriptions") ?? "", rg ?? "", Text(body, "location") ?? SegmentAfter(id, "locations") ?? "",
            Text(body, "kind") ?? "", Text(properties, "endpoint"), Text(properties, "customSubDomainName"), Text(properties, "provisioningState"), null, tags);
    }

    private static string? SegmentAfter(string id, string name)
    {
        var parts = id.Split('/');
        for (var i = 0; i + 1 < parts.Length; i++)
        {
            if (parts[i].Equals(name, StringComparison.OrdinalIgnoreCase)) return parts[i + 1];
        }
        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
