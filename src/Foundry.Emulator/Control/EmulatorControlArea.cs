using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;
using Foundry.Emulator.Web;

namespace Foundry.Emulator.Control;

/// <summary>
/// The emulator's own surface for tests and demos (/_emulator/… on the management host): dump and reset state, read
/// the request log, inject faults, set operation durations, add a customer's Function App. Every call must carry the
/// control token (EmulatorPipeline checks it); input is validated, so a bad rule or timing is a 400 and never breaks
/// later requests. The same controls are on <see cref="LocalCloud"/> for in-process tests.
/// </summary>
internal sealed class EmulatorControlArea : IEmulatorArea
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions { RequiresApiVersion = false };
        routes.Map(ServiceKind.Control, "GET", "/_emulator/state", c => EmulatorResponse.Json(200, JsonNode.Parse(c.State.Serialize())), options);
        routes.Map(ServiceKind.Control, "POST", "/_emulator/reset", c =>
        {
            c.Cloud.Reset();
            return EmulatorResponse.Empty(204);
        }, options);
        routes.Map(ServiceKind.Control, "GET", "/_emulator/requests", c =>
            EmulatorResponse.Json(200, JsonSerializer.SerializeToNode(c.Cloud.Log.All, Web)), options);
        routes.Map(ServiceKind.Control, "GET", "/_emulator/faults", c =>
            EmulatorResponse.Json(200, JsonSerializer.SerializeToNode(c.Cloud.Faults.Rules, Web)), options);
        routes.Map(ServiceKind.Control, "POST", "/_emulator/faults", c =>
        {
            var rule = JsonSerializer.Deserialize<FaultRule>(c.RawBody, Web)
                ?? throw RequestContext.Fail(AzureError.Arm(400, "InvalidRequestContent", "A fault rule is required."));
            if (rule.Problem() is { } problem) return AzureError.Arm(400, "InvalidRequestContent", "The fault rule is invalid: " + problem);
            return EmulatorResponse.Json(201, JsonSerializer.SerializeToNode(c.Cloud.Faults.Add(rule), Web));
        }, options);
        routes.Map(ServiceKind.Control, "DELETE", "/_emulator/faults", c =>
        {
            c.Cloud.Faults.Clear();
            return EmulatorResponse.Empty(204);
        }, options);
        routes.Map(ServiceKind.Control, "DELETE", "/_emulator/faults/(?<id>[^/]+)", c =>
        {
            c.Cloud.Faults.Remove(c["id"]);
            return EmulatorResponse.Empty(204);
        }, options);
        // Body: {"default": seconds, "Microsoft.CognitiveServices/accounts:create": seconds, …}; all or nothing.
        // The model catalogue's clock (LocalCloud.CatalogueNow): GET reads it; PUT {"now": "2026-03-01T00:00:00Z"} moves
        // it, so retirement windows can be tested; DELETE puts back the default.
        routes.Map(ServiceKind.Control, "GET", "/_emulator/clock", c => EmulatorResponse.Json(200, new JsonObject { ["now"] = c.Cloud.CatalogueNow.ToString("o") }), options);
        routes.Map(ServiceKind.Control, "PUT", "/_emulator/clock", c =>
        {
            var text = c.RequireObject()["now"] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
            if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var now))
            {
                return AzureError.Arm(400, "InvalidRequestContent", "The body must be {\"now\": \"<ISO 8601 time>\"}.");
            }
            c.Cloud.SetCatalogueNow(now);
            return EmulatorResponse.Json(200, new JsonObject { ["now"] = c.Cloud.CatalogueNow.ToString("o") });
        }, options);
        routes.Map(ServiceKind.Control, "DELETE", "/_emulator/clock", c =>
        {
            c.Cloud.SetCatalogueNow(null);
            return EmulatorResponse.Empty(204);
        }, options);
        routes.Map(ServiceKind.Control, "PUT", "/_emulator/timings", c =>
        {
            var durations = new List<(string Key, TimeSpan Duration)>();
            foreach (var (key, value) in c.RequireObject())
            {
                if (OperationTimings.Parse(value) is not { } duration)
                {
                    return AzureError.Arm(400, "InvalidRequestContent",
                        $"The timing '{key}' must be a number of seconds from 0 to {OperationTimings.MaxDuration.TotalSeconds:0}.");
                }
                durations.Add((key, duration));
            }
            foreach (var (key, duration) in durations)
            {
                if (key == "default") c.Cloud.Timings.Default = duration;
                else c.Cloud.Timings.Set(key, duration);
            }
            return EmulatorResponse.Empty(204);
        }, options);
        // Body: {"subscriptionId", "resourceGroup", "name", "location"}: a customer's app for the offline demo (EmulatorHost.EnsureFunctionApp).
        routes.Map(ServiceKind.Control, "POST", "/_emulator/function-apps", c =>
        {
            var body = c.RequireObject();
            string Field(string name) => body[name]?.GetValue<string>() is { Length: > 0 } value ? value
                : throw RequestContext.Fail(AzureError.Arm(400, "InvalidRequestContent", $"'{name}' is required."));
            var (subscription, group, name, location) = (Field("subscriptionId"), Field("resourceGroup"), Field("name"), Field("location"));
            if (!c.State.Subscriptions.Contains(subscription, StringComparer.OrdinalIgnoreCase)) return AzureError.Arm(404, "SubscriptionNotFound", $"The subscription '{subscription}' could not be found.");
            var created = FunctionApps.Ensure(c.Cloud, subscription, group, name, location);
            return EmulatorResponse.Json(created ? 201 : 200, new JsonObject { ["created"] = created });
        }, options);
        // Azure Policy assignments (State.PolicyAssignment's JSON shape): Resource Manager applies them to every later PUT and PATCH.
        routes.Map(ServiceKind.Control, "GET", "/_emulator/policy-assignments", c =>
            EmulatorResponse.Json(200, JsonSerializer.SerializeToNode(c.State.PolicyAssignments, Web)), options);
        routes.Map(ServiceKind.Control, "POST", "/_emulator/policy-assignments", c =>
        {
            var assignment = PolicyAssignmentFrom(c);
            c.State.PolicyAssignments.RemoveAll(a => a.Id.Equals(assignment.Id, StringComparison.OrdinalIgnoreCase));
            c.State.PolicyAssignments.Add(assignment);
            return EmulatorResponse.Json(201, JsonSerializer.SerializeToNode(assignment, Web));
        }, options);
        routes.Map(ServiceKind.Control, "DELETE", "/_emulator/policy-assignments", c =>
        {
            c.State.PolicyAssignments.Clear();
            return EmulatorResponse.Empty(204);
        }, options);
        routes.Map(ServiceKind.Control, "GET", "/_emulator/stats", c => EmulatorResponse.Json(200, new JsonObject
        {
            ["requests"] = c.Cloud.Log.Served,
            ["mutatingRequests"] = c.Cloud.Log.MutatingCount,
            ["resources"] = c.State.Resources.Count,
            ["now"] = c.Now.ToString("o", CultureInfo.InvariantCulture),
        }), options);
    }

    private static PolicyAssignment PolicyAssignmentFrom(RequestContext c)
    {
        PolicyAssignment? assignment;
        try
        {
            assignment = JsonSerializer.Deserialize<PolicyAssignment>(c.RawBody, Web);
        }
        catch (JsonException e)
        {
            throw RequestContext.Fail(AzureError.Arm(400, "InvalidRequestContent", "The policy assignment is invalid: " + e.Message));
        }
        if (assignment is null) throw RequestContext.Fail(AzureError.Arm(400, "InvalidRequestContent", "A policy assignment is required."));
        var scope = assignment.Scope.TrimEnd('/');
        var parts = scope.Split('/');
        var wellFormed = (parts.Length == 3 || (parts.Length == 5 && parts[3].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))) &&
                         parts[0].Length == 0 && parts[1].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && c.State.HasSubscription(parts[2]);
        if (!wellFormed) throw RequestContext.Fail(AzureError.Arm(400, "InvalidRequestContent", $"The scope '{assignment.Scope}' must be a known subscription or a resource group in one."));
        if (assignment.Effect is not ("deny" or "modify" or "Deny" or "Modify")) throw RequestContext.Fail(AzureError.Arm(400, "InvalidRequestContent", "The effect must be 'deny' or 'modify'."));
        if (assignment.Effect.Equals("modify", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(assignment.ModifyField))
        {
            throw RequestContext.Fail(AzureError.Arm(400, "InvalidRequestContent", "A modify assignment needs modifyField and modifyValue."));
        }
        assignment.Scope = scope;
        return assignment;
    }
}
