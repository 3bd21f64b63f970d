using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Arm;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.CognitiveServices;

/// <summary>Microsoft.CognitiveServices accounts, deployments, keys, soft delete, quota and models.</summary>
internal sealed class CognitiveServicesArea : IEmulatorArea
{
    public const string AccountType = "Microsoft.CognitiveServices/accounts";
    public const string DeploymentType = "Microsoft.CognitiveServices/accounts/deployments";
    private const string Provider = "Microsoft.CognitiveServices";
    private const string Sub = "/subscriptions/(?<sub>[^/]+)";
    private const string Account = Sub + "/resourcegroups/(?<rg>[^/]+)/providers/Microsoft.CognitiveServices/accounts/(?<name>[^/]+)";
    private static readonly Regex AccountName = new("^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$", RegexOptions.Compiled);
    private static readonly Regex Subdomain = new("^[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?$", RegexOptions.Compiled);

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var accounts = new RouteOptions { ApiVersionOf = AccountType };
        var reads = new RouteOptions { ApiVersionOf = AccountType, ReadOnly = true };
        routes.Map(ServiceKind.Management, "PUT", Account, PutAccount, accounts);
        routes.Map(ServiceKind.Management, "GET", Account, c => EmulatorResponse.Json(200, Require(c).ToJson()).WithHeader("ETag", Require(c).Etag), accounts);
        routes.Map(ServiceKind.Management, "PATCH", Account, PatchAccount, accounts);
        routes.Map(ServiceKind.Management, "DELETE", Account, DeleteAccount, accounts);
        routes.Map(ServiceKind.Management, "GET", Sub + "/resourcegroups/(?<rg>[^/]+)/providers/Microsoft.CognitiveServices/accounts", c =>
        {
            Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
            return Arm.Arm.Page(c, Accounts(c).Where(a => string.Equals(a.ResourceGroup, c["rg"], StringComparison.OrdinalIgnoreCase)).Select(a => (JsonNode)a.ToJson()));
        }, accounts);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.CognitiveServices/accounts", c =>
        {
            Arm.Arm.RequireSubscription(c, c["sub"]);
            return Arm.Arm.Page(c, Accounts(c).Select(a => (JsonNode)a.ToJson()));
        }, accounts);
        routes.Map(ServiceKind.Management, "POST", Account + "/listKeys", c => Keys(c, Require(c)), reads);
        routes.Map(ServiceKind.Management, "POST", Account + "/regenerateKey", RegenerateKey, accounts);
        routes.Map(ServiceKind.Management, "GET", Account + "/models", c =>
        {
            var account = Require(c);
            var now = c.Cloud.CatalogueNow;
            return Arm.Arm.Page(c, ModelCatalog.Models(account.Location!, now, account.Kind, c.ApiVersion), c.Cloud.CatalogPageSize).WithHeader("Date", HttpDate(now));
        }, accounts);
        routes.Map(ServiceKind.Management, "GET", Account + "/usages", c =>
        {
            var account = Require(c);
            return Arm.Arm.Page(c, ModelCatalog.Usages(c.State, account.SubscriptionId, account.Location!), c.Cloud.CatalogPageSize);
        }, accounts);
        routes.Map(ServiceKind.Management, "GET", Account + "/skus", c =>
        {
            Require(c);
            return EmulatorResponse.Json(200, new JsonObject { ["value"] = new JsonArray(new JsonObject { ["resourceType"] = AccountType, ["sku"] = new JsonObject { ["name"] = "S0", ["tier"] = "Standard" } }) });
        }, accounts);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.CognitiveServices/locations/(?<loc>[^/]+)/usages", c =>
        {
            Arm.Arm.RequireSubscription(c, c["sub"]);
            return Arm.Arm.Page(c, ModelCatalog.Usages(c.State, c["sub"], c["loc"].ToLowerInvariant()), c.Cloud.CatalogPageSize);
        }, accounts);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.CognitiveServices/locations/(?<loc>[^/]+)/models", c =>
        {
            Arm.Arm.RequireSubscription(c, c["sub"]);
            // Date carries the model-catalogue clock, as Azure's Date is the server's clock: clients judge retirement by it.
            var now = c.Cloud.CatalogueNow;
            return Arm.Arm.Page(c, ModelCatalog.Models(c["loc"].ToLowerInvariant(), now, apiVersion: c.ApiVersion), c.Cloud.CatalogPageSize).WithHeader("Date", HttpDate(now));
        }, accounts);
        routes.Map(ServiceKind.Management, "POST", Sub + "/providers/Microsoft.CognitiveServices/checkDomainAvailability", CheckDomain, reads);
        SoftDelete.Register(routes, cloud);
        CapacityQueries.Register(routes);
        Deployments.Register(routes, cloud);

        cloud.OnOperationComplete("accounts.create", (c, operation) =>
        {
            if (c.State.Find(operation.ResourceId) is { } account)
            {
                account.ProvisioningState = "Succeeded";
                account.Touch(c.Now);
            }
        });
        cloud.OnDelete(AccountType, SoftDelete.OnAccountDeleted);
    }

    internal static IEnumerable<ArmResource> Accounts(RequestContext c) => Arm.Arm.OfTypeInSubscription(c, AccountType);

    internal static string IdOf(RequestContext c) => Arm.Arm.RouteId(c, AccountType);

    internal static ArmResource Require(RequestContext c) => Arm.Arm.RequireRouteResource(c, AccountType);

    /// <summary>An HTTP Date header value (RFC 1123).</summary>
    private static string HttpDate(DateTimeOffset time) => time.UtcDateTime.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static EmulatorResponse PutAccount(RequestContext c)
    {
        var name = c["name"];
        if (!AccountName.IsMatch(name))
        {
            return AzureError.Arm(400, "InvalidResourceName", $"Resource name '{name}' is invalid. The name can contain alphanumeric characters, '_', '.' and '-' only, must start with an alphanumeric character and be 2 to 64 characters long.");
        }
        Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
        var body = c.RequireObject();
        var id = IdOf(c);
        var properties = body["properties"] as JsonObject ?? new JsonObject();
        var subdomain = properties["customSubDomainName"]?.GetValue<string>();
        var existing = c.State.Find(id);
        if (existing is not null) return UpdateAccount(c, existing, body, subdomain);

        var location = Arm.Arm.RequireLocation(body, AccountType);
        var kind = body["kind"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(kind)) return AzureError.Arm(400, "InvalidKind", "The kind property is required.");
        if (body["sku"]?["name"]?.GetValue<string>() is not { Length: > 0 } skuName) return AzureError.Arm(400, "InvalidSku", "The sku property is required.");

        if (c.State.DeletedAccounts.TryGetValue(EmulatorState.Key(id), out var deleted))
        {
            if (properties["restore"]?.GetValue<bool>() != true)
            {
                return AzureError.Arm(409, "FlagMustBeSetForRestore",
                    $"An existing resource with ID '{id}' has been soft-deleted. To restore the resource, you must specify 'restore' to be 'true' in the property. If you don't want to restore existing resource, please purge it first.");
            }
            return SoftDelete.Restore(c, deleted);
        }
        if (subdomain is not null)
        {
            if (!Subdomain.IsMatch(subdomain))
            {
                return AzureError.Arm(400, "InvalidCustomSubDomainName", $"The custom subdomain name '{subdomain}' is invalid: use 2–64 letters, digits and hyphens, not starting or ending with a hyphen.");
            }
            if (SubdomainTaken(c.State, subdomain, id)) return SubdomainInUse(subdomain);
        }

        var account = Arm.Arm.NewResource(c, id, name, AccountType, c["sub"], c["rg"]);
        account.Location = location;
        account.Kind = kind;
        account.Sku = new JsonObject { ["name"] = skuName };
        account.Tags = Arm.Arm.ParseTags(body["tags"]);
        account.Identity = Identity(c, body["identity"]);
        properties.Remove("restore");
        account.Properties = properties.DeepClone().AsObject();
        var endpoint = Endpoint(c, kind, subdomain, location);
        account.Properties["endpoint"] = endpoint;
        account.Properties["endpoints"] = new JsonObject { [kind == "OpenAI" ? "OpenAI Language Model Instance API" : "Azure AI Model Inference API"] = endpoint };
        account.Properties["internalId"] = Guid.NewGuid().ToString("n");
        account.Properties["dateCreated"] = c.Now.UtcDateTime.ToString("o");
        account.Properties["callRateLimit"] = new JsonObject { ["rules"] = new JsonArray(new JsonObject { ["key"] = "openai", ["renewalPeriod"] = 1, ["count"] = 30, ["matchPatterns"] = new JsonArray(new JsonObject { ["path"] = "openai/*", ["method"] = "*" }) }) };
        account.Properties["isMigrated"] = false;
        account.Properties["privateEndpointConnections"] = new JsonArray();
        account.Properties["publicNetworkAccess"] = properties["publicNetworkAccess"]?.GetValue<string>() ?? "Enabled";
        account.Properties["capabilities"] = new JsonArray(new JsonObject { ["name"] = "VirtualNetworks" }, new JsonObject { ["name"] = "CustomerManagedKey" });
        account.ProvisioningState = "Creating";
        c.State.Put(account);
        c.State.AccountKeys[EmulatorState.Key(id)] = new AccountKeys { Key1 = NewKey(), Key2 = NewKey() };
        var operation = c.Cloud.StartOperation(c["sub"], Provider, location, id, "accounts.create", $"{AccountType}:create", "Creating");
        // Real account creation answers 201 Creating with a lower-case azure-asyncoperation header and no Retry-After.
        return EmulatorResponse.Json(201, account.ToJson()).WithHeader("azure-asyncoperation", Arm.Arm.AsyncOperationUrl(c, operation)).WithHeader("ETag", account.Etag);
    }

    /// <summary>Properties Azure computes: a PUT can neither set nor clear them.</summary>
    private static readonly string[] ServerOwned =
    {
        "endpoint", "endpoints", "internalId", "dateCreated", "callRateLimit", "isMigrated", "privateEndpointConnections", "capabilities",
        "provisioningState", "customSubDomainName", "deletionDate", "scheduledPurgeDate", "quotaLimit", "skuChangeInfo", "abusePenalty",
    };

    /// <summary>What an optional property is when a PUT leaves it out (Azure resets it, it does not keep the old value).</summary>
    private static readonly Dictionary<string, JsonNode?> Defaults = new() { ["publicNetworkAccess"] = "Enabled" };

    private static EmulatorResponse? UpdateRefused(ArmResource account, string? subdomain)
    {
        var current = account.Properties["customSubDomainName"]?.GetValue<string>();
        if (subdomain is not null && current is not null && !subdomain.Equals(current, StringComparison.OrdinalIgnoreCase))
        {
            return AzureError.Arm(400, "CustomSubDomainNameNotChangeable", $"The custom subdomain name of an existing resource cannot be changed (it is '{current}').");
        }
        return account.ProvisioningState is "Creating" ? Conflict(account.Id) : null;
    }

    /// <summary>A PUT on an existing account replaces it: what the body omits (network rules, disableLocalAuth, tags…) goes back to its default.</summary>
    private static EmulatorResponse UpdateAccount(RequestContext c, ArmResource account, JsonObject body, string? subdomain)
    {
        if (UpdateRefused(account, subdomain) is { } refusal) return refusal;
        ResourceWrites.ReplaceEnvelope(account, body);
        var requested = body["properties"] as JsonObject;
        requested?.Remove("restore");
        account.Properties = ResourceWrites.ReplaceProperties(account.Properties, requested, ServerOwned, Defaults);
        var type = body["identity"]?["type"]?.GetValue<string>();
        if (type != account.Identity?["type"]?.GetValue<string>()) account.Identity = Identity(c, body["identity"]);
        account.Touch(c.Now);
        return EmulatorResponse.Json(200, account.ToJson()).WithHeader("ETag", account.Etag);
    }

    /// <summary>A PATCH merges: only what the body names changes.</summary>
    private static EmulatorResponse PatchAccount(RequestContext c)
    {
        var account = Require(c);
        var body = c.RequireObject();
        if (UpdateRefused(account, body["properties"]?["customSubDomainName"]?.GetValue<string>()) is { } refusal) return refusal;
        ResourceWrites.MergeInto(account, body, ServerOwned);
        if (body.ContainsKey("identity") && body["identity"]?["type"]?.GetValue<string>() != account.Identity?["type"]?.GetValue<string>()) account.Identity = Identity(c, body["identity"]);
        account.Touch(c.Now);
        return EmulatorResponse.Json(200, account.ToJson()).WithHeader("ETag", account.Etag);
    }

    private static EmulatorResponse DeleteAccount(RequestContext c)
    {
        Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
        var account = c.State.Find(IdOf(c));
        if (account is null) return EmulatorResponse.Empty(204);
        if (Deployments.Busy(c, account.Id) && account.ProvisioningState != "Creating") return Conflict(account.Id);
        c.Cloud.DeleteResource(account);
        // Real deletes answer 200 with an empty body, synchronously.
        return EmulatorResponse.Empty(200);
    }

    private static EmulatorResponse Keys(RequestContext c, ArmResource account)
    {
        if (LocalAuthDisabled(account)) return AzureError.Arm(400, "BadRequest", "Failed to list key. disableLocalAuth is set to be true");
        var keys = c.State.AccountKeys[EmulatorState.Key(account.Id)];
        return EmulatorResponse.Json(200, new JsonObject { ["key1"] = keys.Key1, ["key2"] = keys.Key2 });
    }

    private static EmulatorResponse RegenerateKey(RequestContext c)
    {
        var account = Require(c);
        // listKeys' answer is verified (az CLI prints "(BadRequest) Failed to list key. disableLocalAuth is set to be true");
        // [assumption] regenerateKey's sentence mirrors it: no public trace of Azure's own was found.
        if (LocalAuthDisabled(account)) return AzureError.Arm(400, "BadRequest", "Failed to regenerate key. disableLocalAuth is set to be true");
        var keyName = c.RequireObject()["keyName"]?.GetValue<string>();
        var keys = c.State.AccountKeys[EmulatorState.Key(account.Id)];
        if ("Key1".Equals(keyName, StringComparison.OrdinalIgnoreCase)) keys.Key1 = NewKey();
        else if ("Key2".Equals(keyName, StringComparison.OrdinalIgnoreCase)) keys.Key2 = NewKey();
        else return AzureError.Arm(400, "InvalidRequestContent", $"The value '{keyName}' is not valid for keyName. Allowed values: Key1, Key2.");
        return Keys(c, account);
    }

    /// <summary>Keys do not exist for an account with local (key) authentication disabled, often forced by a modify policy.</summary>
    internal static bool LocalAuthDisabled(ArmResource account) => account.Properties["disableLocalAuth"] is JsonValue value && value.TryGetValue<bool>(out var disabled) && disabled;

    private static EmulatorResponse CheckDomain(RequestContext c)
    {
        Arm.Arm.RequireSubscription(c, c["sub"]);
        var body = c.RequireObject();
        var name = body["subdomainName"]?.GetValue<string>() ?? "";
        var taken = SubdomainTaken(c.State, name, null);
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["isSubdomainAvailable"] = !taken,
            ["reason"] = taken ? $"Sub domain name '{name}' is not valid or already in use." : null,
            ["subdomainName"] = name,
            ["type"] = body["type"]?.GetValue<string>() ?? AccountType,
        });
    }

    internal static bool SubdomainTaken(EmulatorState state, string subdomain, string? exceptId) =>
        state.Resources.Values.Where(r => r.Type == AccountType).Concat(state.DeletedAccounts.Values.Select(d => d.Account))
            .Any(a => !a.Id.Equals(exceptId, StringComparison.OrdinalIgnoreCase) &&
                      string.Equals(a.Properties["customSubDomainName"]?.GetValue<string>(), subdomain, StringComparison.OrdinalIgnoreCase));

    // [unverified] code and wording for a custom subdomain held by another (or a soft-deleted) account.
    internal static EmulatorResponse SubdomainInUse(string subdomain) =>
        AzureError.Arm(409, "CustomDomainInUse", $"The custom domain name '{subdomain}' is already in use by another resource. Please choose a different name, or purge the soft-deleted resource that holds it.");

    internal static EmulatorResponse Conflict(string accountId) =>
        AzureError.Arm(409, "RequestConflict", $"Another operation is being performed on the parent resource '{accountId}'. Please try again later.");

    private static JsonObject? Identity(RequestContext c, JsonNode? requested)
    {
        var type = requested?["type"]?.GetValue<string>();
        if (type is null || type == "None") return null;
        return new JsonObject { ["principalId"] = Guid.NewGuid().ToString(), ["tenantId"] = c.State.TenantId, ["type"] = type, ["userAssignedIdentities"] = new JsonObject() };
    }

    private static string Endpoint(RequestContext c, string kind, string? subdomain, string location) =>
        subdomain is null ? $"https://{location}.api.cognitive.localhost:{c.Port}/"
        : kind == "OpenAI" ? $"https://{subdomain.ToLowerInvariant()}.openai.localhost:{c.Port}/"
        : $"https://{subdomain.ToLowerInvariant()}.cognitiveservices.localhost:{c.Port}/";

    internal static string NewKey() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
