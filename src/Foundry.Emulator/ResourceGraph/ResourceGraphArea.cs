using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.ResourceGraph;

/// <summary>
/// Microsoft.ResourceGraph resource queries over the local cloud's resources, shaped as recorded: totalRecords, count,
/// data (objectArray or table), facets, resultTruncated (a string) and $skipToken while more rows remain (only when id is
/// projected and the query has no limit/take). Each
/// principal has a query quota per window (ThrottlingLimits: 15 per 5 s as Azure documents), reported in x-ms-user-quota-* headers and enforced with 429 RateLimiting.
/// Rows can be stale on purpose (ArmResource.StaleGraphRow), as Resource Graph lags Resource Manager.
/// </summary>
internal sealed class ResourceGraphArea : IEmulatorArea
{
    private readonly Dictionary<string, (DateTimeOffset Start, int Used)> quota = new(StringComparer.OrdinalIgnoreCase);

    public void Register(RouteTable routes, LocalCloud cloud) =>
        routes.Map(ServiceKind.Management, "POST", "/providers/Microsoft.ResourceGraph/resources", Query,
            new RouteOptions { ApiVersionOf = "Microsoft.ResourceGraph/resources", ReadOnly = true });

    /// <summary>The row Resource Graph shows for a resource (type and resource group lower-cased, as it reports them).</summary>
    public static JsonObject Row(ArmResource resource, string tenantId) => resource.StaleGraphRow?.DeepClone().AsObject() ?? new JsonObject
    {
        ["id"] = resource.Id,
        ["name"] = resource.Name,
        ["type"] = resource.Type.ToLowerInvariant(),
        ["tenantId"] = tenantId,
        ["kind"] = resource.Kind ?? "",
        ["location"] = resource.Location ?? "",
        ["resourceGroup"] = resource.ResourceGroup?.ToLowerInvariant() ?? "",
        ["subscriptionId"] = resource.SubscriptionId,
        ["managedBy"] = resource.ManagedBy ?? "",
        ["sku"] = resource.Sku?.DeepClone(),
        ["properties"] = resource.Properties.DeepClone(),
        ["tags"] = ArmResource.TagsJson(resource.Tags ?? new Dictionary<string, string>()),
        ["identity"] = resource.Identity?.DeepClone(),
    };

    private EmulatorResponse Query(RequestContext c)
    {
        var (remaining, resetsAfter) = Charge(c);
        if (remaining < 0)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(resetsAfter.TotalSeconds));
            return AzureError.Arm(429, "RateLimiting", $"Please provide below info when asking for support: timestamp = {c.Now.UtcDateTime:o}, correlationId = {Guid.NewGuid()}.",
                    new JsonArray(new JsonObject { ["code"] = "RateLimiting", ["message"] = "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help." }))
                .WithHeader("Retry-After", seconds.ToString(CultureInfo.InvariantCulture))
                .WithHeader("x-ms-user-quota-remaining", "0")
                .WithHeader("x-ms-user-quota-resets-after", resetsAfter.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));
        }
        var body = c.RequireObject();
        var text = body["query"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(text)) return BadQuery(c, new KqlParseException("The query is required.", 0, "<EOF>"), remaining, resetsAfter);
        KqlQuery query;
        try
        {
            query = KqlQuery.Parse(text);
        }
        catch (KqlParseException e)
        {
            return BadQuery(c, e, remaining, resetsAfter);
        }
        var subscriptions = (body["subscriptions"] as JsonArray)?.Select(s => s!.GetValue<string>()).ToHashSet(StringComparer.OrdinalIgnoreCase)
            ?? c.State.Subscriptions.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var options = body["options"] as JsonObject;
        var top = options?["$top"]?.GetValue<int>() ?? 1000;
        if (top is < 1 or > 1000) return AzureError.Arm(400, "BadRequest", "The $top option must be between 1 and 1000.");
        var skip = options?["$skip"]?.GetValue<int>() ?? 0;
        var hash = Hash(text, subscriptions);
        if (options?["$skipToken"]?.GetValue<string>() is { } token)
        {
            var decoded = Decode(token);
            if (decoded is null || decoded.Value.Hash != hash) return AzureError.Arm(400, "BadRequest", "The $skipToken is not valid for this query and scope.");
            skip = decoded.Value.Offset;
        }

        var format = options?["resultFormat"]?.GetValue<string>() ?? GraphResults.ObjectArray;
        if (!format.Equals(GraphResults.Table, StringComparison.OrdinalIgnoreCase) && !format.Equals(GraphResults.ObjectArray, StringComparison.OrdinalIgnoreCase))
        {
            return AzureError.Arm(400, "BadRequest", $"The resultFormat '{format}' is not valid: use 'table' or 'objectArray'.");
        }

        var rows = query.Run(Source(c, query.Table, subscriptions)).ToList();
        var page = rows.Skip(skip).Take(top).ToList();
        // A query with limit/take is answered in one page: Resource Graph gives it no $skipToken.
        var pageable = !query.Limited && (query.Projection is null || query.Projection.Contains("id", StringComparer.OrdinalIgnoreCase));
        var more = skip + page.Count < rows.Count;
        var response = new JsonObject
        {
            ["totalRecords"] = rows.Count,
            ["count"] = page.Count,
            ["data"] = GraphResults.Format(page, format),
            ["facets"] = GraphResults.Facets(body["facets"] as JsonArray, rows, format),
            ["resultTruncated"] = more && !pageable ? "true" : "false",
        };
        if (more && pageable) response["$skipToken"] = Encode(skip + page.Count, hash);
        return EmulatorResponse.Json(200, response).WithHeader("x-ms-user-quota-remaining", remaining.ToString(CultureInfo.InvariantCulture))
            .WithHeader("x-ms-user-quota-resets-after", resetsAfter.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture))
            .WithHeader("x-ms-ratelimit-remaining-tenant-resource-requests", remaining.ToString(CultureInfo.InvariantCulture));
    }

    private static IEnumerable<JsonObject> Source(RequestContext c, string table, HashSet<string> subscriptions)
    {
        if (c.Cloud.Realism.GraphIndexLagMax > TimeSpan.Zero) return Indexed(c, table, subscriptions);
        var resources = c.State.Resources.Values.Where(r => subscriptions.Contains(r.SubscriptionId)).OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase);
        return table.Equals("ResourceContainers", StringComparison.OrdinalIgnoreCase)
            ? resources.Where(r => r.Type == "Microsoft.Resources/resourceGroups").Select(r =>
            {
                var row = Row(r, c.State.TenantId);
                row["type"] = "microsoft.resources/subscriptions/resourcegroups";
                return row;
            })
            : resources.Where(r => r.Type != "Microsoft.Resources/resourceGroups" && !r.Type.StartsWith("Microsoft.Authorization/", StringComparison.OrdinalIgnoreCase))
                .Select(r => Row(r, c.State.TenantId));
    }

    /// <summary>The realistic profile's rows: Resource Graph's lagging copy, not Resource Manager's current state.</summary>
    private static IEnumerable<JsonObject> Indexed(RequestContext c, string table, HashSet<string> subscriptions)
    {
        c.Cloud.GraphIndex.Observe(c.Cloud, r => Row(r, c.State.TenantId));
        var containers = table.Equals("ResourceContainers", StringComparison.OrdinalIgnoreCase);
        return c.Cloud.GraphIndex.Rows()
            .Where(r => subscriptions.Contains(r["subscriptionId"]?.GetValue<string>() ?? ""))
            .Where(r =>
            {
                var type = r["type"]?.GetValue<string>() ?? "";
                var isGroup = type.Equals("microsoft.resources/resourcegroups", StringComparison.OrdinalIgnoreCase);
                return containers ? isGroup : !isGroup && !type.StartsWith("microsoft.authorization/", StringComparison.OrdinalIgnoreCase);
            })
            .Select(r =>
            {
                if (containers) r["type"] = "microsoft.resources/subscriptions/resourcegroups";
                return r;
            })
            .OrderBy(r => r["id"]?.GetValue<string>(), StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    private (int Remaining, TimeSpan ResetsAfter) Charge(RequestContext c)
    {
        lock (quota)
        {
            var now = c.Now;
            var limits = c.Cloud.Throttle.Limits;
            var window = limits.LocalGraphWindow;
            var (start, used) = quota.TryGetValue(c.Principal, out var q) && now - q.Start < window ? q : (now, 0);
            var resetsAfter = start + window - now;
            if (used >= limits.GraphQueriesPerWindow) return (-1, resetsAfter);
            quota[c.Principal] = (start, used + 1);
            return (limits.GraphQueriesPerWindow - used - 1, resetsAfter);
        }
    }

    private static EmulatorResponse BadQuery(RequestContext c, KqlParseException e, int remaining, TimeSpan resetsAfter) =>
        AzureError.Arm(400, "BadRequest", $"Please provide below info when asking for support: timestamp = {c.Now.UtcDateTime:o}, correlationId = {Guid.NewGuid()}.", new JsonArray(
                new JsonObject { ["code"] = "InvalidQuery", ["message"] = "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying." },
                new JsonObject { ["code"] = "ParserFailure", ["message"] = e.Message, ["line"] = 1, ["characterPositionInLine"] = e.Position, ["token"] = e.Token }))
            .WithHeader("x-ms-user-quota-remaining", remaining.ToString(CultureInfo.InvariantCulture))
            .WithHeader("x-ms-user-quota-resets-after", resetsAfter.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));

    private static string Hash(string query, IEnumerable<string> subscriptions) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(query + "|" + string.Join(",", subscriptions.Order(StringComparer.OrdinalIgnoreCase)))))[..16];

    private static string Encode(int offset, string hash) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"$id\":\"1\",\"RowsToSkip\":{offset},\"QueryHash\":\"{hash}\"}}"));

    private static (int Offset, string Hash)? Decode(string token)
    {
        try
        {
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)));
            return (json!["RowsToSkip"]!.GetValue<int>(), json["QueryHash"]!.GetValue<string>());
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or NullReferenceException or InvalidOperationException)
        {
            return null;
        }
    }
}
