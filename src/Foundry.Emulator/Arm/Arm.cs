using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Arm;

/// <summary>Resource Manager conventions every provider shares: scopes, tags, lists with nextLink, LRO headers.</summary>
public static class Arm
{
    /// <summary>Answers 404 SubscriptionNotFound unless the subscription exists.</summary>
    public static void RequireSubscription(RequestContext context, string subscriptionId)
    {
        if (!context.State.HasSubscription(subscriptionId)) throw RequestContext.Fail(AzureError.SubscriptionNotFound(subscriptionId));
    }

    /// <summary>Answers 404 ResourceGroupNotFound unless the group exists (and is not being deleted).</summary>
    public static ArmResource RequireResourceGroup(RequestContext context, string subscriptionId, string resourceGroup)
    {
        RequireSubscription(context, subscriptionId);
        var group = context.State.Find(ResourceIds.ResourceGroupId(subscriptionId, resourceGroup));
        if (group is null) throw RequestContext.Fail(AzureError.ResourceGroupNotFound(resourceGroup));
        return group;
    }

    /// <summary>Reads "tags" from a body: a string→string object, at most 50 entries, names 1–512 and values ≤256 characters.</summary>
    public static Dictionary<string, string>? ParseTags(JsonNode? node)
    {
        if (node is null) return null;
        if (node is not JsonObject tags) throw RequestContext.Fail(AzureError.InvalidRequestContent("tags must be an object"));
        if (tags.Count > 50) throw RequestContext.Fail(AzureError.Arm(400, "InvalidTag", "The number of tags exceeds the limit of 50."));
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in tags)
        {
            if (name.Length is 0 or > 512 || name.IndexOfAny("<>%&\\?/".ToCharArray()) >= 0)
            {
                throw RequestContext.Fail(AzureError.Arm(400, "InvalidTagNameCharacters", $"The tag names '{name}' have reserved characters '<,>,%,&,\\,?,/' or control characters."));
            }
            var text = value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString() ?? "";
            if (text.Length > 256) throw RequestContext.Fail(AzureError.Arm(400, "InvalidTagValueLength", $"The tag value '{text[..32]}…' exceeds the maximum length of 256."));
            result[name] = text;
        }
        return result;
    }

    /// <summary>Checks a location against the catalog; Azure answers 400 LocationNotAvailableForResourceType.</summary>
    public static string RequireLocation(JsonObject body, string resourceType)
    {
        var location = body["location"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(location))
        {
            throw RequestContext.Fail(AzureError.Arm(400, "LocationRequired", "The location property is required for this definition."));
        }
        var normalized = location.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        if (!ProviderCatalog.Locations.Contains(normalized) && normalized != "global")
        {
            throw RequestContext.Fail(AzureError.Arm(400, "LocationNotAvailableForResourceType",
                $"The provided location '{location}' is not available for resource type '{resourceType}'. List of available regions for the resource type is '{string.Join(",", ProviderCatalog.Locations)}'."));
        }
        return normalized;
    }

    /// <summary>A {value, nextLink} page. The skip token is opaque to clients; nextLink is absolute and carries the api-version.</summary>
    public static EmulatorResponse Page(RequestContext context, IEnumerable<JsonNode> items, int pageSize = 100)
    {
        var all = items.ToList();
        var skip = 0;
        if (context.Query("$skiptoken") is { } token)
        {
            try
            {
                skip = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw RequestContext.Fail(AzureError.Arm(400, "InvalidSkipToken", "The provided skip token is invalid."));
            }
        }
        var page = new JsonArray(all.Skip(skip).Take(pageSize).Select(n => n.DeepClone()).ToArray());
        var body = new JsonObject { ["value"] = page };
        if (skip + pageSize < all.Count)
        {
            var next = Convert.ToBase64String(Encoding.UTF8.GetBytes((skip + pageSize).ToString(CultureInfo.InvariantCulture)));
            // The next page answers the same question: $filter and $top travel in the link, as Resource Manager's do.
            var carried = string.Concat(new[] { "$filter", "$top" }.Where(p => context.Query(p) is { Length: > 0 })
                .Select(p => $"&{p}={Uri.EscapeDataString(context.Query(p)!)}"));
            body["nextLink"] = context.Absolute($"{context.Path}?api-version={Uri.EscapeDataString(context.ApiVersion ?? "")}{carried}&$skiptoken={Uri.EscapeDataString(next)}");
        }
        return EmulatorResponse.Json(200, body);
    }

    /// <summary>Seconds left before the operation ends, as Retry-After wants them (0 when it is due).</summary>
    public static string RetryAfter(LocalCloud cloud, LongRunningOperation operation)
    {
        var left = operation.CompletesAt - cloud.Now;
        return left <= TimeSpan.Zero ? "0" : Math.Ceiling(left.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The Azure-AsyncOperation status URL of an operation, under its provider and location.</summary>
    public static string AsyncOperationUrl(RequestContext context, LongRunningOperation operation) =>
        context.Absolute($"/subscriptions/{operation.SubscriptionId}/providers/{operation.Provider}/locations/{operation.Location ?? "global"}/operationResults/{operation.Id}?api-version={context.ApiVersion}");

    /// <summary>The Location status URL of an operation (202 until done, then the final status).</summary>
    public static string LocationUrl(RequestContext context, LongRunningOperation operation) =>
        operation.Provider.Equals("Microsoft.Resources", StringComparison.OrdinalIgnoreCase)
            ? context.Absolute($"/subscriptions/{operation.SubscriptionId}/operationresults/{operation.Id}?api-version={context.ApiVersion}")
            : context.Absolute($"/subscriptions/{operation.SubscriptionId}/providers/{operation.Provider}/locations/{operation.Location ?? "global"}/operationResults/{operation.Id}?api-version={context.ApiVersion}&monitor=location");

    /// <summary>The body of an Azure-AsyncOperation status poll.</summary>
    public static JsonObject OperationStatus(LongRunningOperation operation)
    {
        var body = new JsonObject
        {
            ["id"] = $"/subscriptions/{operation.SubscriptionId}/providers/{operation.Provider}/locations/{operation.Location ?? "global"}/operationResults/{operation.Id}",
            ["name"] = operation.Id,
            ["status"] = operation.Status,
            ["startTime"] = operation.StartTime.UtcDateTime.ToString("o"),
        };
        if (operation.EndTime is { } end) body["endTime"] = end.UtcDateTime.ToString("o");
        if (operation.Status == "Failed")
        {
            body["error"] = new JsonObject { ["code"] = operation.ErrorCode ?? "InternalServerError", ["message"] = operation.ErrorMessage ?? "The operation failed." };
        }
        return body;
    }

    /// <summary>Serves a Location-style poll: 202 while running, then 200 (or the error) when done.</summary>
    public static EmulatorResponse LocationPoll(RequestContext context, LongRunningOperation operation)
    {
        if (!operation.IsTerminal)
        {
            return EmulatorResponse.Empty(202)
                .WithHeader("Location", LocationUrl(context, operation))
                .WithHeader("Retry-After", RetryAfter(context.Cloud, operation));
        }
        if (operation.Status != "Succeeded")
        {
            return AzureError.Arm(operation.Status == "Canceled" ? 409 : 500, operation.ErrorCode ?? "InternalServerError", operation.ErrorMessage ?? "The operation failed.");
        }
        // Key Vault's Location polls end 200 with a status body (recorded: kv-mgmt-java-VaultTests.canEnableSoftDeleteAndPurge).
        return operation.Provider.Equals("Microsoft.KeyVault", StringComparison.OrdinalIgnoreCase)
            ? EmulatorResponse.Json(200, new JsonObject
            {
                ["createdDateTime"] = operation.StartTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["lastActionDateTime"] = (operation.EndTime ?? operation.StartTime).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["status"] = operation.Status,
            })
            : EmulatorResponse.Empty(200);
    }

    /// <summary>The route's subscription's resources of one type, in id order (what a list by subscription answers).</summary>
    public static IEnumerable<ArmResource> OfTypeInSubscription(RequestContext c, string type) =>
        c.State.Resources.Values.Where(r => r.Type == type && r.SubscriptionId.Equals(c["sub"], StringComparison.OrdinalIgnoreCase)).OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase);

    /// <summary>The id the route's {sub}/{rg}/{name} names for a resource of this type.</summary>
    public static string RouteId(RequestContext c, string type) => ResourceIds.Resource(c["sub"], c["rg"], type, c["name"]);

    /// <summary>The resource the route names: 404 ResourceGroupNotFound or ResourceNotFound as ARM answers.</summary>
    public static ArmResource RequireRouteResource(RequestContext c, string type)
    {
        RequireResourceGroup(c, c["sub"], c["rg"]);
        var id = RouteId(c, type);
        return c.State.Find(id) ?? throw RequestContext.Fail(AzureError.ResourceNotFound(id));
    }

    /// <summary>A new resource with the common fields filled in.</summary>
    public static ArmResource NewResource(RequestContext context, string id, string name, string type, string subscriptionId, string? resourceGroup) =>
        new()
        {
            Id = id,
            Name = name,
            Type = type,
            SubscriptionId = subscriptionId,
            ResourceGroup = resourceGroup,
            CreatedAt = context.Now,
            UpdatedAt = context.Now,
            CreatedBy = context.Principal,
        };
}
