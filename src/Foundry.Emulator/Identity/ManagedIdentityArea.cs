using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Identity;

/// <summary>
/// Microsoft.ManagedIdentity/userAssignedIdentities: a standalone identity with its own service principal
/// (principalId), application (clientId) and tenant, which sites attach and which vaults and role assignments name.
/// </summary>
internal sealed class ManagedIdentityArea : IEmulatorArea
{
    public const string IdentityType = "Microsoft.ManagedIdentity/userAssignedIdentities";
    private const string Sub = "/subscriptions/(?<sub>[^/]+)";
    private const string Identity = Sub + "/resourcegroups/(?<rg>[^/]+)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/(?<name>[^/]+)";

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions { ApiVersionOf = IdentityType };
        routes.Map(ServiceKind.Management, "PUT", Identity, Put, options);
        routes.Map(ServiceKind.Management, "GET", Identity, c => EmulatorResponse.Json(200, Require(c).ToJson()), options);
        routes.Map(ServiceKind.Management, "DELETE", Identity, c =>
        {
            Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
            var identity = c.State.Find(IdOf(c));
            if (identity is null) return EmulatorResponse.Empty(204);
            c.Cloud.DeleteResource(identity);
            return EmulatorResponse.Empty(200);
        }, options);
        routes.Map(ServiceKind.Management, "GET", Sub + "/resourcegroups/(?<rg>[^/]+)/providers/Microsoft.ManagedIdentity/userAssignedIdentities", c =>
        {
            Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
            return Arm.Arm.Page(c, Identities(c).Where(i => string.Equals(i.ResourceGroup, c["rg"], StringComparison.OrdinalIgnoreCase)).Select(i => (JsonNode)i.ToJson()));
        }, options);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities", c => Arm.Arm.Page(c, Identities(c).Select(i => (JsonNode)i.ToJson())), options);
    }

    /// <summary>The live user-assigned identity with this resource id (ids compare case-insensitively, as in Azure).</summary>
    public static ArmResource? Find(EmulatorState state, string id) =>
        state.Find(id) is { Type: IdentityType } identity ? identity : null;

    private static IEnumerable<ArmResource> Identities(RequestContext c) => Arm.Arm.OfTypeInSubscription(c, IdentityType);

    private static string IdOf(RequestContext c) => Arm.Arm.RouteId(c, IdentityType);

    private static ArmResource Require(RequestContext c) => Arm.Arm.RequireRouteResource(c, IdentityType);

    private static EmulatorResponse Put(RequestContext c)
    {
        Arm.Arm.RequireResourceGroup(c, c["sub"], c["rg"]);
        var body = c.RequireObject();
        var existing = c.State.Find(IdOf(c));
        var identity = existing ?? Arm.Arm.NewResource(c, IdOf(c), c["name"], IdentityType, c["sub"], c["rg"]);
        identity.Location = existing?.Location ?? Arm.Arm.RequireLocation(body, IdentityType);
        if (existing is null || body.ContainsKey("tags")) identity.Tags = Arm.Arm.ParseTags(body["tags"]) ?? new Dictionary<string, string>();
        // The principal and client ids are the identity's for life: a PUT on an existing identity keeps them.
        if (existing is null)
        {
            identity.Properties = new JsonObject
            {
                ["tenantId"] = c.State.TenantId,
                ["principalId"] = Guid.NewGuid().ToString(),
                ["clientId"] = Guid.NewGuid().ToString(),
                ["isolationScope"] = body["properties"]?["isolationScope"]?.GetValue<string>() ?? "None",
            };
        }
        identity.Touch(c.Now);
        c.State.Put(identity);
        return EmulatorResponse.Json(existing is null ? 201 : 200, identity.ToJson());
    }
}
