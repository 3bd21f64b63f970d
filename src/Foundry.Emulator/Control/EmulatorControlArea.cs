using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Control;

/// <summary>
/// The emulator's own surface for tests and demos (/_emulator/… on the management host, no auth):
/// dump and reset state, read the request log, inject faults, set operation durations.
/// The same controls are on <see cref="LocalCloud"/> for in-process tests.
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
        // Body: {"default": seconds, "Microsoft.CognitiveServices/accounts:create": seconds, …}
        routes.Map(ServiceKind.Control, "PUT", "/_emulator/timings", c =>
        {
            foreach (var (key, value) in c.RequireObject())
            {
                var duration = TimeSpan.FromSeconds(value!.GetValue<double>());
                if (key == "default") c.Cloud.Timings.Default = duration;
                else c.Cloud.Timings.Set(key, duration);
            }
            return EmulatorResponse.Empty(204);
        }, options);
        routes.Map(ServiceKind.Control, "GET", "/_emulator/stats", c => EmulatorResponse.Json(200, new JsonObject
        {
            ["requests"] = c.Cloud.Log.All.Count,
            ["mutatingRequests"] = c.Cloud.Log.MutatingCount,
            ["resources"] = c.State.Resources.Count,
            ["now"] = c.Now.ToString("o", CultureInfo.InvariantCulture),
        }), options);
    }
}
