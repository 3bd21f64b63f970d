using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.KeyVault;

/// <summary>
/// Key Vault secrets data plane on {vault}.vault.localhost (the pipeline already answers the 401 bearer challenge):
/// versions, soft delete, recover, purge, paged lists with absolute nextLinks, and RBAC or access-policy checks.
/// </summary>
internal sealed class KeyVaultSecretsArea : IEmulatorArea
{
    private const string Name = "(?<name>[^/]+)";
    private static readonly Regex SecretName = new("^[0-9a-zA-Z-]{1,127}$", RegexOptions.Compiled);
    private static readonly HashSet<string> Versions = new(StringComparer.OrdinalIgnoreCase)
    {
        "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.6-preview.1", "7.6-preview.2", "2025-07-01", "2026-01-01-preview",
    };

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions { RequiresApiVersion = false };
        routes.Map(ServiceKind.KeyVault, "PUT", $"/secrets/{Name}", Set, options);
        routes.Map(ServiceKind.KeyVault, "GET", "/secrets", c => List(c, Vault(c, "list").Content.Secrets.Values.Where(s => !s.IsDeleted && s.Latest is not null)
            .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Select(s => Item(c, s.Name, s.Latest!, includeVersion: false))), options);
        routes.Map(ServiceKind.KeyVault, "GET", $"/secrets/{Name}/versions", c => List(c, Live(c, "list").Versions
            .OrderBy(v => v.Version, StringComparer.Ordinal).Select(v => Item(c, c["name"], v, includeVersion: true))), options);
        routes.Map(ServiceKind.KeyVault, "GET", $"/secrets/{Name}", c =>
        {
            var secret = Live(c, "get");
            return EmulatorResponse.Json(200, Bundle(c, secret.Name, secret.Latest!, withValue: true));
        }, options);
        routes.Map(ServiceKind.KeyVault, "GET", $"/secrets/{Name}/(?<version>[0-9a-fA-F]{{32}})", c =>
        {
            var secret = Live(c, "get");
            var version = secret.Versions.FirstOrDefault(v => v.Version.Equals(c["version"], StringComparison.OrdinalIgnoreCase)) ?? throw NotFound(c);
            return EmulatorResponse.Json(200, Bundle(c, secret.Name, version, withValue: true));
        }, options);
        routes.Map(ServiceKind.KeyVault, "PATCH", $"/secrets/{Name}/(?<version>[0-9a-fA-F]{{32}})?", Update, options);
        routes.Map(ServiceKind.KeyVault, "DELETE", $"/secrets/{Name}", Delete, options);
        routes.Map(ServiceKind.KeyVault, "GET", "/deletedsecrets", c => List(c, Vault(c, "list").Content.Secrets.Values.Where(s => s.IsDeleted && !Purging(c, s))
            .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Select(s => Deleted(c, s, item: true))), options);
        routes.Map(ServiceKind.KeyVault, "GET", $"/deletedsecrets/{Name}", c => EmulatorResponse.Json(200, Deleted(c, DeletedSecret(c, "get"), item: false)), options);
        routes.Map(ServiceKind.KeyVault, "DELETE", $"/deletedsecrets/{Name}", Purge, options);
        routes.Map(ServiceKind.KeyVault, "POST", $"/deletedsecrets/{Name}/recover", Recover, options);
    }

    private readonly record struct VaultRef(ArmResource Resource, VaultContent Content);

    /// <summary>The vault this host names, after the api-version and permission checks.</summary>
    private static VaultRef Vault(RequestContext c, string permission, bool write = false)
    {
        var version = c.ApiVersion;
        if (version is null) throw RequestContext.Fail(AzureError.KeyVault(400, "BadParameter", "The api-version query parameter is required."));
        if (!Versions.Contains(version))
        {
            throw RequestContext.Fail(AzureError.KeyVault(400, "BadParameter", $"The specified version ({version}) is not recognized. Consider using the latest supported version (2025-07-01)."));
        }
        // [unverified] A vault that does not exist fails DNS in Azure; the closest faithful answer here is 404.
        var vault = SecretAccess.LiveVault(c.State, c.HostLabel)
            ?? throw RequestContext.Fail(AzureError.KeyVault(404, "VaultNotFound", $"The vault '{c.HostLabel}' does not exist or has been deleted."));
        var allowed = write ? SecretAccess.CanWrite(c.State, vault, c.Principal, permission, c.Now) : SecretAccess.CanRead(c.State, vault, c.Principal, c.Now, permission);
        if (!allowed && vault.Properties["enableRbacAuthorization"]?.GetValue<bool>() != true)
        {
            // An access-policy vault answers in its own words, no role assignment named, and two ways: a caller on no
            // policy (terraform-provider-azurerm#4569) and one whose policy lacks the permission (steampipe-plugin-azure#127,
            // MicrosoftDocs/azure-docs#57072), both 403 Forbidden with inner code AccessDenied.
            var caller = $"appid={c.Principal};oid={c.Principal};iss=https://sts.windows.net/{c.State.TenantId}/";
            throw RequestContext.Fail(AzureError.KeyVault(403, "Forbidden", SecretAccess.OnAnAccessPolicy(c.State, vault, c.Principal, c.Now)
                ? $"The user, group or application '{caller}' does not have secrets {permission} permission on key vault '{vault.Name};location={vault.Location}'. " +
                  "For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287"
                : $"Access denied. Caller was not found on any access policy.\r\nCaller: appid={c.Principal};oid={c.Principal};numgroups=0;iss=https://sts.windows.net/{c.State.TenantId}/\r\nVault: {vault.Name};location={vault.Location}",
                "AccessDenied"));
        }
        if (!allowed)
        {
            var action = $"Microsoft.KeyVault/vaults/secrets/{(write ? permission + "Secret" : "getSecret")}/action";
            throw RequestContext.Fail(AzureError.KeyVault(403, "Forbidden",
                "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n" +
                $"Caller: oid={c.Principal};iss=https://sts.windows.net/{c.State.TenantId}/\r\nAction: '{action}'\r\nResource: '{vault.Id.ToLowerInvariant()}/secrets/{c["name"]}'\r\n" +
                $"Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: {vault.Name};location={vault.Location}\r\n", "ForbiddenByRbac"));
        }
        var content = c.State.Vaults.TryGetValue(vault.Name.ToLowerInvariant(), out var existing) ? existing : c.State.Vaults[vault.Name.ToLowerInvariant()] = new VaultContent();
        foreach (var purged in content.Secrets.Where(s => s.Value.PurgeCompletesAt <= c.Now).Select(s => s.Key).ToList()) content.Secrets.Remove(purged);
        return new VaultRef(vault, content);
    }

    private static SecretEntry Live(RequestContext c, string permission)
    {
        var secret = Vault(c, permission).Content.Secrets.GetValueOrDefault(c["name"].ToLowerInvariant());
        return secret is { IsDeleted: false, Latest: not null } ? secret : throw NotFound(c);
    }

    private static SecretEntry DeletedSecret(RequestContext c, string permission, bool write = false)
    {
        var secret = Vault(c, permission, write).Content.Secrets.GetValueOrDefault(c["name"].ToLowerInvariant());
        if (secret is not { IsDeleted: true }) throw NotFound(c);
        if (secret.DeletionCompletesAt > c.Now || Purging(c, secret))
        {
            // Reads see nothing until the deletion completes (SecretClient polls this) or once a purge started; writes
            // are told to wait until either finishes.
            throw c.Method == "GET" ? NotFound(c) : RequestContext.Fail(BeingDeleted(c, secret)!);
        }
        return secret;
    }

    // The message is the one Key Vault sends (terraform-provider-azurerm#10454, azure-cli#12722).
    private static EmulatorResponse? BeingDeleted(RequestContext c, SecretEntry secret) =>
        secret.DeletionCompletesAt > c.Now || Purging(c, secret)
            ? AzureError.KeyVault(409, "Conflict", "Secret is currently being deleted.", "ObjectIsBeingDeleted")
            : null;

    private static bool Purging(RequestContext c, SecretEntry secret) => secret.PurgeCompletesAt > c.Now;

    private static EmulatorErrorException NotFound(RequestContext c) => RequestContext.Fail(AzureError.KeyVault(404, "SecretNotFound",
        $"A secret with (name/id) {c["name"]} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"));

    private static EmulatorResponse Set(RequestContext c)
    {
        var name = c["name"];
        var vault = Vault(c, "set", write: true);
        if (!SecretName.IsMatch(name))
        {
            return AzureError.KeyVault(400, "BadParameter", "The request URI contains an invalid name: " + name);
        }
        var body = c.RequireObject();
        if (body["value"] is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return AzureError.KeyVault(400, "BadParameter", "Property 'value' is required and must be a string.");
        }
        var key = name.ToLowerInvariant();
        if (vault.Content.Secrets.TryGetValue(key, out var existing) && existing.IsDeleted)
        {
            return BeingDeleted(c, existing) ?? AzureError.KeyVault(409, "Conflict", $"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.", "ObjectIsDeletedButRecoverable");
        }
        var entry = existing ?? (vault.Content.Secrets[key] = new SecretEntry { Name = name });
        var version = new SecretVersion
        {
            Version = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
            Value = value.GetValue<string>(),
            ContentType = body["contentType"]?.GetValue<string>(),
            Tags = Arm.Arm.ParseTags(body["tags"]),
            Enabled = body["attributes"]?["enabled"]?.GetValue<bool>() ?? true,
            NotBefore = body["attributes"]?["nbf"]?.GetValue<long>(),
            Expires = body["attributes"]?["exp"]?.GetValue<long>(),
            Created = c.Now,
            Updated = c.Now,
        };
        entry.Versions.Add(version);
        return EmulatorResponse.Json(200, Bundle(c, entry.Name, version, withValue: true));
    }

    private static EmulatorResponse Update(RequestContext c)
    {
        var secret = Live(c, "set");
        Vault(c, "set", write: true);
        var version = c["version"].Length == 0 ? secret.Latest! : secret.Versions.FirstOrDefault(v => v.Version.Equals(c["version"], StringComparison.OrdinalIgnoreCase)) ?? throw NotFound(c);
        var body = c.RequireObject();
        if (body.ContainsKey("tags")) version.Tags = Arm.Arm.ParseTags(body["tags"]);
        if (body["contentType"] is { } contentType) version.ContentType = contentType.GetValue<string>();
        if (body["attributes"]?["enabled"] is { } enabled) version.Enabled = enabled.GetValue<bool>();
        version.Updated = c.Now;
        return EmulatorResponse.Json(200, Bundle(c, secret.Name, version, withValue: false));
    }

    private static EmulatorResponse Delete(RequestContext c)
    {
        Vault(c, "delete", write: true);
        var secret = Live(c, "delete");
        var days = RetentionDays(c);
        secret.DeletedDate = c.Now;
        secret.ScheduledPurgeDate = c.Now.AddDays(days);
        secret.DeletionCompletesAt = c.Now + c.Cloud.Timings.For(Realism.RealismTimings.SecretDelete);
        return EmulatorResponse.Json(200, Deleted(c, secret, item: false));
    }

    private static EmulatorResponse Purge(RequestContext c)
    {
        var vault = Vault(c, "purge", write: true);
        var secret = DeletedSecret(c, "purge", write: true);
        if (vault.Resource.Properties["enablePurgeProtection"]?.GetValue<bool>() == true)
        {
            return AzureError.KeyVault(403, "Forbidden", $"Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.");
        }
        // Key Vault purges asynchronously: the name stays "being deleted" for the purge's duration (realistic profile).
        var purge = c.Cloud.Timings.For(Realism.RealismTimings.SecretPurge);
        if (purge > TimeSpan.Zero) secret.PurgeCompletesAt = c.Now + purge;
        else vault.Content.Secrets.Remove(secret.Name.ToLowerInvariant());
        return EmulatorResponse.Empty(204);
    }

    private static EmulatorResponse Recover(RequestContext c)
    {
        var secret = DeletedSecret(c, "recover", write: true);
        secret.DeletedDate = null;
        secret.ScheduledPurgeDate = null;
        return EmulatorResponse.Json(200, Bundle(c, secret.Name, secret.Latest!, withValue: false));
    }

    private static int RetentionDays(RequestContext c) => SecretAccess.LiveVault(c.State, c.HostLabel)?.Properties["softDeleteRetentionInDays"]?.GetValue<int>() ?? 90;

    private static string VaultBase(RequestContext c) => c.VaultUri(c.HostLabel).TrimEnd('/');

    private static JsonObject Attributes(RequestContext c, SecretVersion version)
    {
        var days = RetentionDays(c);
        var purgeProtected = SecretAccess.LiveVault(c.State, c.HostLabel)?.Properties["enablePurgeProtection"]?.GetValue<bool>() == true;
        var attributes = new JsonObject
        {
            ["enabled"] = version.Enabled,
            ["created"] = version.Created.ToUnixTimeSeconds(),
            ["updated"] = version.Updated.ToUnixTimeSeconds(),
            ["recoveryLevel"] = (days < 90 ? "CustomizedRecoverable" : "Recoverable") + (purgeProtected ? "" : "+Purgeable"),
            ["recoverableDays"] = days,
        };
        if (version.NotBefore is { } nbf) attributes["nbf"] = nbf;
        if (version.Expires is { } exp) attributes["exp"] = exp;
        return attributes;
    }

    private static JsonObject Bundle(RequestContext c, string name, SecretVersion version, bool withValue)
    {
        var bundle = new JsonObject { ["id"] = $"{VaultBase(c)}/secrets/{name}/{version.Version}" };
        if (withValue) bundle["value"] = version.Value;
        if (version.ContentType is not null) bundle["contentType"] = version.ContentType;
        if (version.Tags is not null) bundle["tags"] = ArmResource.TagsJson(version.Tags);
        bundle["attributes"] = Attributes(c, version);
        return bundle;
    }

    private static JsonObject Item(RequestContext c, string name, SecretVersion version, bool includeVersion)
    {
        var item = new JsonObject { ["id"] = includeVersion ? $"{VaultBase(c)}/secrets/{name}/{version.Version}" : $"{VaultBase(c)}/secrets/{name}", ["attributes"] = Attributes(c, version) };
        if (version.Tags is not null) item["tags"] = ArmResource.TagsJson(version.Tags);
        if (version.ContentType is not null) item["contentType"] = version.ContentType;
        return item;
    }

    private static JsonObject Deleted(RequestContext c, SecretEntry secret, bool item)
    {
        var body = new JsonObject
        {
            ["recoveryId"] = $"{VaultBase(c)}/deletedsecrets/{secret.Name}",
            ["deletedDate"] = secret.DeletedDate?.ToUnixTimeSeconds(),
            ["scheduledPurgeDate"] = secret.ScheduledPurgeDate?.ToUnixTimeSeconds(),
            ["id"] = item ? $"{VaultBase(c)}/secrets/{secret.Name}" : $"{VaultBase(c)}/secrets/{secret.Name}/{secret.Latest!.Version}",
            ["attributes"] = Attributes(c, secret.Latest!),
        };
        if (secret.Latest!.Tags is not null) body["tags"] = ArmResource.TagsJson(secret.Latest.Tags);
        if (secret.Latest.ContentType is not null) body["contentType"] = secret.Latest.ContentType;
        return body;
    }

    /// <summary>Pages of at most maxresults (1–25, default 25) with an absolute nextLink carrying $skiptoken; null on the last page.</summary>
    private static EmulatorResponse List(RequestContext c, IEnumerable<JsonObject> items)
    {
        var pageSize = 25;
        if (c.Query("maxresults") is { } max && (!int.TryParse(max, out pageSize) || pageSize is < 1 or > 25))
        {
            return AzureError.KeyVault(400, "BadParameter", "The value of maxresults must be between 1 and 25.");
        }
        var skip = int.TryParse(c.Query("$skiptoken"), out var s) ? s : 0;
        var all = items.ToList();
        var body = new JsonObject { ["value"] = new JsonArray(all.Skip(skip).Take(pageSize).Select(i => (JsonNode)i).ToArray()) };
        body["nextLink"] = skip + pageSize < all.Count
            ? $"{VaultBase(c)}{c.Path}?api-version={c.ApiVersion}&$skiptoken={skip + pageSize}&maxresults={pageSize}"
            : null;
        return EmulatorResponse.Json(200, body);
    }
}
