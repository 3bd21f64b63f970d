using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Arm;

/// <summary>
/// Any catalogued resource type without a provider of its own (storage accounts, workspaces, identities…):
/// synchronous PUT (201 new, 200 replace), GET, PATCH (merge), DELETE (200, or 204 when absent). It lets
/// tests fill the cloud with the many kinds of resources a real environment has beside ours.
/// </summary>
internal sealed class GenericResourceArea : IEmulatorArea
{
    private const string Resource = "/subscriptions/(?<sub>[^/]+)/resourcegroups/(?<rg>[^/]+)/providers/(?<ns>[^/]+)/(?<type>[^/]+)/(?<name>[^/]+)(?:/(?<ctype>[^/]+)/(?<cname>[^/]+))?";

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions();
        routes.Map(ServiceKind.Management, "PUT", Resource, Put, options);
        routes.Map(ServiceKind.Management, "GET", Resource, Get, options);
        routes.Map(ServiceKind.Management, "PATCH", Resource, Patch, options);
        routes.Map(ServiceKind.Management, "DELETE", Resource, Delete, options);
    }

    private static (string Id, string Type, string Name) Identify(RequestContext context)
    {
        var ns = context["ns"];
        var type = ns + "/" + context["type"];
        var name = context["name"];
        if (context["ctype"].Length > 0)
        {
            type += "/" + context["ctype"];
            name = context["cname"];
        }
        if (!ProviderCatalog.Providers.ContainsKey(ns))
        {
            throw RequestContext.Fail(AzureError.Arm(400, "InvalidResourceNamespace", $"The resource namespace '{ns}' is invalid."));
        }
        var versions = ProviderCatalog.ApiVersions(type);
        if (versions is null)
        {
            throw RequestContext.Fail(AzureError.Arm(400, "InvalidResourceType",
                $"The resource type '{type[(ns.Length + 1)..]}' could not be found in the namespace '{ns}' for api version '{context.ApiVersion}'."));
        }
        if (!versions.Contains(context.ApiVersion, StringComparer.OrdinalIgnoreCase))
        {
            throw RequestContext.Fail(AzureError.Arm(400, "NoRegisteredProviderFound",
                $"No registered resource provider found for location 'global' and API version '{context.ApiVersion}' for type '{type[(ns.Length + 1)..]}'. The supported api-versions are '{string.Join(", ", versions)}'."));
        }
        return (context.Path.TrimEnd('/'), type, name);
    }

    private static EmulatorResponse Put(RequestContext context)
    {
        var (id, type, name) = Identify(context);
        Arm.RequireResourceGroup(context, context["sub"], context["rg"]);
        if (context["ctype"].Length > 0 && context.State.Find(ResourceIds.Parent(id)!) is null)
        {
            return AzureError.Arm(404, "ParentResourceNotFound", $"Can not perform requested operation on nested resource. Parent resource '{context["name"]}' not found.");
        }
        var body = context.RequireObject();
        var existing = context.State.Find(id);
        var resource = existing ?? Arm.NewResource(context, id, name, type, context["sub"], context["rg"]);
        resource.Location = context["ctype"].Length > 0 ? null : Arm.RequireLocation(body, type);
        resource.Tags = Arm.ParseTags(body["tags"]);
        resource.Kind = body["kind"]?.GetValue<string>();
        resource.Sku = body["sku"]?.DeepClone() as JsonObject;
        resource.Properties = body["properties"]?.DeepClone() as JsonObject ?? new JsonObject();
        resource.ProvisioningState = "Succeeded";
        resource.Touch(context.Now);
        context.State.Put(resource);
        return EmulatorResponse.Json(existing is null ? 201 : 200, resource.ToJson());
    }

    private static EmulatorResponse Get(RequestContext context)
    {
        var (id, _, _) = Identify(context);
        Arm.RequireResourceGroup(context, context["sub"], context["rg"]);
        var resource = context.State.Find(id);
        return resource is null ? AzureError.ResourceNotFound(id) : EmulatorResponse.Json(200, resource.ToJson());
    }

    private static EmulatorResponse Patch(RequestContext context)
    {
        var (id, _, _) = Identify(context);
        Arm.RequireResourceGroup(context, context["sub"], context["rg"]);
        var resource = context.State.Find(id);
        if (resource is null) return AzureError.ResourceNotFound(id);
        ResourceWrites.MergeInto(resource, context.RequireObject(), new[] { "provisioningState" });
        resource.Touch(context.Now);
        return EmulatorResponse.Json(200, resource.ToJson());
    }

    private static EmulatorResponse Delete(RequestContext context)
    {
        var (id, _, _) = Identify(context);
        Arm.RequireResourceGroup(context, context["sub"], context["rg"]);
        var resource = context.State.Find(id);
        if (resource is null) return EmulatorResponse.Empty(204);
        context.Cloud.DeleteResource(resource);
        return EmulatorResponse.Empty(200);
    }
}
