using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Apps;

/// <summary>
/// A server app (Function App / web app) and its managed identities. PrincipalId is the system-assigned identity's
/// (Azure shows none for an app with only user-assigned ones); KeyVaultReferenceIdentity says which identity resolves
/// Key Vault references: "SystemAssigned" (also when absent) or a user-assigned identity's resource id.
/// </summary>
public sealed record AppInfo(string ResourceId, string Name, string ResourceGroupName, string? PrincipalId, string? IdentityType, string? KeyVaultReferenceIdentity)
{
    /// <summary>The site's tags (Foundry records there which environment wrote each setting).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The user-assigned identities attached to the app: resource id → principal id.</summary>
    public IReadOnlyDictionary<string, string> UserAssignedPrincipals { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The user-assigned identities attached to the app: resource id → client id (what AZURE_CLIENT_ID names).</summary>
    public IReadOnlyDictionary<string, string> UserAssignedClientIds { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The user-assigned identity the app's code is to use under auth "entra": the one that resolves (or, once Foundry
    /// wired it, would resolve) its Key Vault references; null when that is the system-assigned identity.
    /// </summary>
    public string? WiringUserAssignedIdentity => !ReferencesUseSystemIdentity ? KeyVaultReferenceIdentity : SoleUserAssignedIdentity;

    /// <summary>Whether the app's Key Vault references are left to its system-assigned identity (App Service's default).</summary>
    public bool ReferencesUseSystemIdentity =>
        KeyVaultReferenceIdentity is not { Length: > 0 } chosen || chosen.Equals("SystemAssigned", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The principal App Service resolves the app's Key Vault references with, as the app is configured now; null when
    /// the identity keyVaultReferenceIdentity names is not enabled on the app (references then fail MSINotEnabled).
    /// </summary>
    public string? ReferencePrincipalId => ReferencesUseSystemIdentity
        ? (IdentityType?.Contains("SystemAssigned", StringComparison.OrdinalIgnoreCase) == true ? PrincipalId : null)
        : UserAssignedPrincipals.FirstOrDefault(p => p.Key.Equals(KeyVaultReferenceIdentity!, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>
    /// The user-assigned identity Foundry points keyVaultReferenceIdentity at: the app's only one, when the app has no
    /// system-assigned identity for its references to use. Null when the app needs no such change or has several.
    /// </summary>
    public string? SoleUserAssignedIdentity =>
        ReferencePrincipalId is null && ReferencesUseSystemIdentity && UserAssignedPrincipals.Count == 1 ? UserAssignedPrincipals.Keys.Single() : null;

    /// <summary>The principal that will resolve the app's references once Foundry has wired it (read access goes to it).</summary>
    public string? WiringPrincipalId => ReferencePrincipalId ?? (SoleUserAssignedIdentity is { } id ? UserAssignedPrincipals[id] : null);
}

/// <summary>How the app resolves one Key Vault reference setting.</summary>
public sealed record KeyVaultReferenceStatus(string Setting, string Status, string? VaultName, string? SecretName, string? SecretVersion, string? ActiveVersion, string? Details);

/// <summary>
/// Microsoft.Web sites: identity, app settings and Key Vault reference status. Settings are read with the POST list
/// action and written with PUT, which replaces the whole set, so writes always start from a fresh read and merge.
/// Setting values can hold the customer's own secrets: they stay inside the Engine and are never reported.
/// </summary>
public sealed class AppOperations
{
    private readonly ArmRestClient rest;

    internal AppOperations(ArmClient arm) => rest = new ArmRestClient(arm);

    /// <summary>The site id for a subscription, resource group and name.</summary>
    public static string IdOf(string subscriptionId, string resourceGroupName, string name) =>
        $"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/{name}";

    /// <summary>The app, or null when it does not exist.</summary>
    public async Task<AppInfo?> GetAsync(string siteId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Get, $"{siteId}?api-version={ApiVersions.Web}", null,
            new FailureContext("read the app", siteId, "Website Contributor"), cancellationToken, 404).ConfigureAwait(false);
        if (result.Status == 404) return null;
        using var json = result.Json();
        var root = json.RootElement;
        var identity = root.TryGetProperty("identity", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        var properties = root.TryGetProperty("properties", out var p) ? p : default;
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            foreach (var tag in t.EnumerateObject()) tags[tag.Name] = tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString() ?? "" : tag.Value.ToString();
        }
        var userAssigned = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var clientIds = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (identity.ValueKind == JsonValueKind.Object && identity.TryGetProperty("userAssignedIdentities", out var attached) && attached.ValueKind == JsonValueKind.Object)
        {
            foreach (var one in attached.EnumerateObject())
            {
                if (Text(one.Value, "principalId") is { } principal) userAssigned[one.Name] = principal;
                if (Text(one.Value, "clientId") is { } client) clientIds[one.Name] = client;
            }
        }
        return new AppInfo(root.GetProperty("id").GetString() ?? siteId, root.GetProperty("name").GetString() ?? "", new ResourceIdentifier(siteId).ResourceGroupName ?? "",
            Text(identity, "principalId"), Text(identity, "type"), Text(properties, "keyVaultReferenceIdentity")) { Tags = tags, UserAssignedPrincipals = userAssigned, UserAssignedClientIds = clientIds };
    }

    /// <summary>
    /// Points the app's keyVaultReferenceIdentity at a user-assigned identity. PATCH (Sites_Update) sends only that
    /// property: a PUT would have to resend the site's whole definition.
    /// </summary>
    internal Task SetKeyVaultReferenceIdentityAsync(string siteId, string identityId, CancellationToken cancellationToken) =>
        rest.SendAsync(RequestMethod.Patch, $"{siteId}?api-version={ApiVersions.Web}",
            new Dictionary<string, object> { ["properties"] = new Dictionary<string, object> { ["keyVaultReferenceIdentity"] = identityId } },
            new FailureContext("choose the identity that resolves the app's Key Vault references", siteId, "Website Contributor"), cancellationToken);

    /// <summary>
    /// Merges tags into the site's (operation Merge), or deletes them (Delete, by name and value: a tag whose value
    /// changed meanwhile stays), through the Tags API, which touches the tags only: a PUT of the site would have to
    /// resend its whole definition.
    /// </summary>
    internal Task PatchTagsAsync(string siteId, string operation, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        rest.SendAsync(RequestMethod.Patch, $"{siteId}/providers/Microsoft.Resources/tags/default?api-version={ApiVersions.Resources}",
            new Dictionary<string, object> { ["operation"] = operation, ["properties"] = new Dictionary<string, object> { ["tags"] = tags } },
            new FailureContext("tag the app", siteId, "Tag Contributor"), cancellationToken);

    /// <summary>Key Vault reference status of every reference setting.</summary>
    public async Task<IReadOnlyList<KeyVaultReferenceStatus>> GetKeyVaultReferencesAsync(string siteId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Get, $"{siteId}/config/configreferences/appsettings?api-version={ApiVersions.Web}", null,
            new FailureContext("read the app's Key Vault reference status", siteId, "Website Contributor"), cancellationToken).ConfigureAwait(false);
        return ReadReferences(result);
    }

    /// <summary>How the app resolves <paramref name="setting"/>, or null when that setting is not a Key Vault reference.</summary>
    public async Task<KeyVaultReferenceStatus?> GetKeyVaultReferenceAsync(string siteId, string setting, CancellationToken cancellationToken) =>
        (await GetKeyVaultReferencesAsync(siteId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Setting.Equals(setting, StringComparison.OrdinalIgnoreCase));

    /// <summary>Makes the app fetch its Key Vault references again now, instead of within 24 hours.</summary>
    public async Task<IReadOnlyList<KeyVaultReferenceStatus>> RefreshKeyVaultReferencesAsync(string siteId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Post, $"{siteId}/config/configreferences/appsettings/refresh?api-version={ApiVersions.Web}", null,
            new FailureContext("refresh the app's Key Vault references", siteId, "Website Contributor"), cancellationToken).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(result.Body) ? await GetKeyVaultReferencesAsync(siteId, cancellationToken).ConfigureAwait(false) : ReadReferences(result);
    }

    internal async Task<Dictionary<string, string>> ListSettingsAsync(string siteId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Post, $"{siteId}/config/appsettings/list?api-version={ApiVersions.Web}", null,
            new FailureContext("read the app settings", siteId, "Website Contributor"), cancellationToken).ConfigureAwait(false);
        using var json = result.Json();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json.RootElement.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var setting in properties.EnumerateObject()) settings[setting.Name] = setting.Value.GetString() ?? "";
        }
        return settings;
    }

    /// <summary>Writes the whole set (PUT replaces it): callers pass the fresh read with their changes merged in.</summary>
    internal Task ReplaceSettingsAsync(string siteId, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
        rest.SendAsync(RequestMethod.Put, $"{siteId}/config/appsettings?api-version={ApiVersions.Web}",
            new Dictionary<string, object> { ["properties"] = settings }, new FailureContext("write the app settings", siteId, "Website Contributor"), cancellationToken);

    /// <summary>The app settings marked as slot settings (config/slotConfigNames: they stay with the slot when slots swap).</summary>
    public async Task<IReadOnlyList<string>> ListSlotSettingNamesAsync(string siteId, CancellationToken cancellationToken) =>
        AppSettingNames(await ReadSlotConfigNamesAsync(siteId, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Adds <paramref name="names"/> to the slot settings. PUT replaces the whole slotConfigNames resource, so it starts
    /// from a fresh read and sends back everything read (other app setting names, connection strings, storage mounts).
    /// </summary>
    internal async Task AddSlotSettingNamesAsync(string siteId, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var properties = await ReadSlotConfigNamesAsync(siteId, cancellationToken).ConfigureAwait(false);
        var merged = AppSettingNames(properties).ToList();
        merged.AddRange(names.Where(n => !merged.Contains(n, StringComparer.Ordinal)));
        properties["appSettingNames"] = new JsonArray(merged.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
        await rest.SendAsync(RequestMethod.Put, $"{siteId}/config/slotConfigNames?api-version={ApiVersions.Web}", new JsonObject { ["properties"] = properties },
            new FailureContext("mark the app's slot settings", siteId, "Website Contributor"), cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonObject> ReadSlotConfigNamesAsync(string siteId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Get, $"{siteId}/config/slotConfigNames?api-version={ApiVersions.Web}", null,
            new FailureContext("read the app's slot settings", siteId, "Website Contributor"), cancellationToken).ConfigureAwait(false);
        var root = string.IsNullOrWhiteSpace(result.Body) ? null : JsonNode.Parse(result.Body);
        return root?["properties"] is JsonObject properties ? (JsonObject)properties.DeepClone() : new JsonObject();
    }

    private static IReadOnlyList<string> AppSettingNames(JsonObject properties) =>
        properties["appSettingNames"] is JsonArray array ? array.Select(n => n?.GetValue<string>()).OfType<string>().ToList() : Array.Empty<string>();

    private static IReadOnlyList<KeyVaultReferenceStatus> ReadReferences(RestResult result)
    {
        using var json = result.Json();
        var list = new List<KeyVaultReferenceStatus>();
        if (!json.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array) return list;
        foreach (var item in value.EnumerateArray())
        {
            var properties = item.TryGetProperty("properties", out var p) ? p : default;
            var setting = Text(item, "name") ?? (Text(item, "id") ?? "").Split('/').Last();
            list.Add(new KeyVaultReferenceStatus(setting, Text(properties, "status") ?? "Unknown", Text(properties, "vaultName"), Text(properties, "secretName"),
                Text(properties, "secretVersion"), Text(properties, "activeVersion"), Text(properties, "details")));
        }
        return list;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
