using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Web;

/// <summary>
/// Microsoft.Web sites (Function Apps): managed identity, app settings (listed by POST, replaced whole by PUT), and
/// Key Vault references, which the app resolves on any config change, on refresh, or when its 24-hour cache expires.
/// </summary>
internal sealed class WebArea : IEmulatorArea
{
    public const string SiteType = "Microsoft.Web/sites";
    public static readonly TimeSpan ReferenceCacheLifetime = TimeSpan.FromHours(24);
    private const string Sub = "/subscriptions/(?<sub>[^/]+)";
    private const string Site = Sub + "/resourcegroups/(?<rg>[^/]+)/providers/Microsoft.Web/sites/(?<name>[^/]+)";
    private static readonly Regex Name = new("^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$", RegexOptions.Compiled);

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions { ApiVersionOf = SiteType };
        var reads = new RouteOptions { ApiVersionOf = SiteType, ReadOnly = true };
        routes.Map(ServiceKind.Management, "PUT", Site, Put, options);
        routes.Map(ServiceKind.Management, "GET", Site, c => EmulatorResponse.Json(200, Require(c).ToJson()), options);
        routes.Map(ServiceKind.Management, "PATCH", Site, Patch, options);
        routes.Map(ServiceKind.Management, "DELETE", Site, c =>
        {
            Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
            var site = c.State.Find(IdOf(c));
            if (site is null) return EmulatorResponse.Empty(204);
            c.Cloud.DeleteResource(site);
            return EmulatorResponse.Empty(200);
        }, options);
        routes.Map(ServiceKind.Management, "GET", Sub + "/resourcegroups/(?<rg>[^/]+)/providers/Microsoft.Web/sites", c =>
            Arm.Arm.Page(c, Sites(c).Where(s => string.Equals(s.ResourceGroup, c["rg"], StringComparison.OrdinalIgnoreCase)).Select(s => (JsonNode)s.ToJson())), options);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.Web/sites", c => Arm.Arm.Page(c, Sites(c).Select(s => (JsonNode)s.ToJson())), options);
        routes.Map(ServiceKind.Management, "POST", Site + "/config/appsettings/list", c => Settings(c, Require(c)), reads);
        routes.Map(ServiceKind.Management, "PUT", Site + "/config/appsettings", PutSettings, options);
        routes.Map(ServiceKind.Management, "GET", Site + "/config/configreferences/appsettings", c => References(c, Require(c), refresh: false), options);
        routes.Map(ServiceKind.Management, "GET", Site + "/config/configreferences/appsettings/(?<setting>[^/]+)", OneReference, options);
        routes.Map(ServiceKind.Management, "POST", Site + "/config/configreferences/appsettings/refresh", c => References(c, Require(c), refresh: true), options);
        routes.Map(ServiceKind.Management, "GET", Site + "/config/slotConfigNames", c => SlotConfig(c, Require(c)), reads);
        routes.Map(ServiceKind.Management, "PUT", Site + "/config/slotConfigNames", PutSlotConfig, options);
        cloud.OnDelete(SiteType, (c, site) =>
        {
            c.State.AppSettings.Remove(EmulatorState.Key(site.Id));
            c.State.SlotConfigNames.Remove(EmulatorState.Key(site.Id));
            c.State.ResolvedReferences.Remove(EmulatorState.Key(site.Id));
        });
    }

    /// <summary>The value an app currently uses for a setting: what its code would send (tests and load simulations read it).</summary>
    public static string? ResolvedValue(EmulatorState state, string siteId, string setting) =>
        state.ResolvedReferences.GetValueOrDefault(EmulatorState.Key(siteId))?.GetValueOrDefault(setting)?.Value;

    private static IEnumerable<ArmResource> Sites(RequestContext c) => Arm.Arm.OfTypeInSubscription(c, SiteType);

    private static string IdOf(RequestContext c) => Arm.Arm.RouteId(c, SiteType);

    private static ArmResource Require(RequestContext c) => Arm.Arm.RequireRouteResource(c, SiteType);

    private static EmulatorResponse Put(RequestContext c)
    {
        var name = c["name"];
        if (!Name.IsMatch(name)) return AzureError.Arm(400, "InvalidResourceName", $"The site name '{name}' is invalid: 2–60 letters, digits and hyphens, not starting or ending with a hyphen.");
        Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
        var body = c.RequireObject();
        var id = IdOf(c);
        var existing = c.State.Find(id);
        if (existing is null && c.State.Resources.Values.Any(r => r.Type == SiteType && r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
        {
            // [unverified] code: site names are global (they form {name}.azurewebsites.net).
            return AzureError.Arm(409, "Conflict", $"Website with given name {name} already exists.");
        }
        var site = existing ?? Arm.Arm.NewResource(c, id, name, SiteType, c["sub"], c["rg"]);
        site.Location = existing?.Location ?? Arm.Arm.RequireLocation(body, SiteType);
        site.Kind = body["kind"]?.GetValue<string>() ?? site.Kind ?? "app";
        site.Tags = Arm.Arm.ParseTags(body["tags"]); // a PUT replaces: no tags in the body, no tags on the site
        if (body.ContainsKey("identity"))
        {
            var identity = SiteIdentity.Apply(c.State, site.Identity, body["identity"], out var refused);
            if (refused is not null) return refused;
            site.Identity = identity;
        }
        var properties = body["properties"] as JsonObject ?? new JsonObject();
        site.Properties = properties.DeepClone().AsObject();
        site.Properties["keyVaultReferenceIdentity"] ??= SiteIdentity.SystemAssigned;
        site.Properties["defaultHostName"] = $"{name.ToLowerInvariant()}.azurewebsites.localhost";
        site.Properties["state"] = "Running";
        site.Properties["enabled"] = true;
        site.ProvisioningState = "Succeeded";
        site.Touch(c.Now);
        c.State.Put(site);
        c.State.AppSettings.TryAdd(EmulatorState.Key(id), new Dictionary<string, string>());
        Restart(c.State, site, c.Now);
        return EmulatorResponse.Json(existing is null ? 201 : 200, site.ToJson());
    }

    /// <summary>Sites_Update: the properties, tags and identity sent are merged into the site; the rest stays.</summary>
    private static EmulatorResponse Patch(RequestContext c)
    {
        var site = Require(c);
        var body = c.RequireObject();
        if (body.ContainsKey("identity"))
        {
            var identity = SiteIdentity.Apply(c.State, site.Identity, body["identity"], out var refused);
            if (refused is not null) return refused;
            site.Identity = identity;
        }
        if (body.ContainsKey("tags")) site.Tags = Arm.Arm.ParseTags(body["tags"]);
        if (body["properties"] is JsonObject properties)
        {
            foreach (var (name, value) in properties) site.Properties[name] = value?.DeepClone();
        }
        site.Touch(c.Now);
        // A configuration change restarts the app, which resolves its references again (with the identity now chosen).
        Restart(c.State, site, c.Now);
        return EmulatorResponse.Json(200, site.ToJson());
    }

    private static EmulatorResponse Settings(RequestContext c, ArmResource site) => EmulatorResponse.Json(200, new JsonObject
    {
        ["id"] = $"{site.Id}/config/appsettings",
        ["name"] = "appsettings",
        ["type"] = "Microsoft.Web/sites/config",
        ["location"] = site.Location,
        ["kind"] = site.Kind,
        // Azure's config resource carries the site's tags, {} when it has none (recorded: AppServiceConfigurationDictionaryTest).
        ["tags"] = ArmResource.TagsJson(site.Tags ?? new Dictionary<string, string>()),
        ["properties"] = ArmResource.TagsJson(c.State.AppSettings.GetValueOrDefault(EmulatorState.Key(site.Id)) ?? new Dictionary<string, string>()),
    });

    private static EmulatorResponse PutSettings(RequestContext c)
    {
        var site = Require(c);
        if (c.RequireObject()["properties"] is not JsonObject properties) return AzureError.InvalidRequestContent("properties must be an object of setting name to value");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in properties) settings[name] = value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString() ?? "";
        // PUT replaces the whole set; every config change restarts the app, which fetches its references again.
        c.State.AppSettings[EmulatorState.Key(site.Id)] = settings;
        Restart(c.State, site, c.Now);
        return Settings(c, site);
    }

    // Microsoft.Web/sites/config/slotConfigNames: GET answers every list (null where never set, as Azure does); PUT
    // replaces the whole resource, so a client that wants to add names must read, merge and write back.
    private static EmulatorResponse SlotConfig(RequestContext c, ArmResource site)
    {
        var names = c.State.SlotConfigNames.GetValueOrDefault(EmulatorState.Key(site.Id)) ?? new SlotConfigNames();
        static JsonNode? List(List<string>? list) => list is null ? null : new JsonArray(list.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["id"] = $"{site.Id}/config/slotConfigNames",
            ["name"] = "slotConfigNames",
            ["type"] = "Microsoft.Web/sites/config",
            ["properties"] = new JsonObject
            {
                ["connectionStringNames"] = List(names.ConnectionStringNames),
                ["appSettingNames"] = List(names.AppSettingNames),
                ["azureStorageConfigNames"] = List(names.AzureStorageConfigNames),
            },
        });
    }

    private static EmulatorResponse PutSlotConfig(RequestContext c)
    {
        var site = Require(c);
        if (c.RequireObject()["properties"] is not JsonObject properties) return AzureError.InvalidRequestContent("properties must be an object with appSettingNames, connectionStringNames and azureStorageConfigNames");
        static List<string>? List(JsonNode? node) => node is JsonArray array ? array.Select(n => n?.GetValue<string>() ?? "").ToList() : null;
        c.State.SlotConfigNames[EmulatorState.Key(site.Id)] = new SlotConfigNames
        {
            AppSettingNames = List(properties["appSettingNames"]),
            ConnectionStringNames = List(properties["connectionStringNames"]),
            AzureStorageConfigNames = List(properties["azureStorageConfigNames"]),
        };
        return SlotConfig(c, site);
    }

    private static void Restart(EmulatorState state, ArmResource site, DateTimeOffset now)
    {
        var settings = state.AppSettings.GetValueOrDefault(EmulatorState.Key(site.Id)) ?? new Dictionary<string, string>();
        state.ResolvedReferences[EmulatorState.Key(site.Id)] = settings.Where(s => KeyVaultReferenceResolver.IsReference(s.Value))
            .ToDictionary(s => s.Key, s => KeyVaultReferenceResolver.Resolve(state, site, s.Value, now));
    }

    private static EmulatorResponse References(RequestContext c, ArmResource site, bool refresh)
    {
        var cache = c.State.ResolvedReferences.GetValueOrDefault(EmulatorState.Key(site.Id));
        if (refresh || cache is null || cache.Values.Any(r => c.Now - r.ResolvedAt >= ReferenceCacheLifetime)) Restart(c.State, site, c.Now);
        cache = c.State.ResolvedReferences[EmulatorState.Key(site.Id)];
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["value"] = new JsonArray(cache.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => (JsonNode)ReferenceJson(site, r.Key, r.Value)).ToArray()),
        });
    }

    private static EmulatorResponse OneReference(RequestContext c)
    {
        var site = Require(c);
        References(c, site, refresh: false);
        var setting = c["setting"];
        return c.State.ResolvedReferences[EmulatorState.Key(site.Id)].TryGetValue(setting, out var reference)
            ? EmulatorResponse.Json(200, ReferenceJson(site, setting, reference))
            : AzureError.Arm(404, "NotFound", $"App setting '{setting}' is not a Key Vault reference.");
    }

    private static JsonObject ReferenceJson(ArmResource site, string setting, ResolvedReference reference) => new()
    {
        ["id"] = $"{site.Id}/config/configreferences/appsettings/{setting}",
        ["name"] = setting,
        ["type"] = "Microsoft.Web/sites/config/reference",
        ["location"] = site.Location,
        ["properties"] = new JsonObject
        {
            ["reference"] = reference.Reference,
            ["status"] = reference.Status,
            ["vaultName"] = reference.VaultName,
            ["secretName"] = reference.SecretName,
            ["secretVersion"] = reference.SecretVersion,
            ["identityType"] = new JsonObject { ["type"] = site.Identity?["type"]?.GetValue<string>() ?? "None" },
            ["details"] = reference.Details,
            ["source"] = "KeyVault",
            ["activeVersion"] = reference.ActiveVersion,
        },
    };
}
