using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Arm;

/// <summary>Microsoft.Resources: subscriptions, tenants, provider metadata, resource groups, tags, operation status URLs.</summary>
internal sealed class ResourceManagerArea : IEmulatorArea
{
    private const string Sub = "/subscriptions/(?<sub>[^/]+)";
    private const string Group = Sub + "/resourcegroups/(?<rg>[^/]+)";
    private const string ResourceGroupType = "Microsoft.Resources/resourceGroups";
    private static readonly Regex ResourceGroupName = new(@"^[-\w\._\(\)]{1,90}$", RegexOptions.Compiled);

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var resources = new RouteOptions { ApiVersionOf = ResourceGroupType };
        var status = new RouteOptions { RequiresApiVersion = false };
        routes.Map(ServiceKind.Management, "GET", "/subscriptions", ListSubscriptions, resources);
        routes.Map(ServiceKind.Management, "GET", Sub, GetSubscription, resources);
        routes.Map(ServiceKind.Management, "GET", "/tenants", ListTenants, resources);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers", ListProviders, resources);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/(?<ns>[^/]+)", GetProvider, resources);
        routes.Map(ServiceKind.Management, "POST", Sub + "/providers/(?<ns>[^/]+)/register", GetProvider, resources);
        routes.Map(ServiceKind.Management, "GET", Sub + "/operationresults/(?<op>[^/]+)", PollLocation, status);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/(?<ns>[^/]+)/locations/(?<loc>[^/]+)/operationResults/(?<op>[^/]+)", PollProviderOperation, status);
        routes.Map(ServiceKind.Management, "GET", Sub + "/providers/(?<ns>[^/]+)/locations/(?<loc>[^/]+)/operationStatuses/(?<op>[^/]+)", PollProviderOperation, status);
        routes.Map(ServiceKind.Management, "GET", Sub + "/resourcegroups", ListResourceGroups, resources);
        routes.Map(ServiceKind.Management, "PUT", Group, PutResourceGroup, resources);
        routes.Map(ServiceKind.Management, "GET", Group, GetResourceGroup, resources);
        routes.Map(ServiceKind.Management, "PATCH", Group, PatchResourceGroup, resources);
        routes.Map(ServiceKind.Management, "DELETE", Group, DeleteResourceGroup, resources);
        routes.Map(ServiceKind.Management, "GET", Group + "/resources", ListResourcesInGroup, resources);
        routes.Map(ServiceKind.Management, "GET", Sub + "/resources", ListResourcesInSubscription, resources);
        routes.Map(ServiceKind.Management, "PUT", "(?<scope>/subscriptions/.+)/providers/Microsoft.Resources/tags/default", PutTags, resources);
        routes.Map(ServiceKind.Management, "PATCH", "(?<scope>/subscriptions/.+)/providers/Microsoft.Resources/tags/default", PatchTags, resources);
        routes.Map(ServiceKind.Management, "GET", "(?<scope>/subscriptions/.+)/providers/Microsoft.Resources/tags/default", GetTags, resources);
        // Tags_DeleteAtScope: every tag of the scope goes, nothing else changes (200, no body, as the spec's example).
        routes.Map(ServiceKind.Management, "DELETE", "(?<scope>/subscriptions/.+)/providers/Microsoft.Resources/tags/default", DeleteTags, resources);

        cloud.OnOperationComplete("resourceGroups.delete", (c, operation) =>
        {
            var group = c.State.Find(operation.ResourceId);
            if (group is null) return;
            foreach (var resource in c.State.InResourceGroup(group.SubscriptionId, group.Name).Where(r => r.Id != group.Id).OrderByDescending(r => r.Id.Length))
            {
                if (c.State.Find(resource.Id) is not null) c.DeleteResource(resource);
            }
            c.State.Resources.Remove(EmulatorState.Key(group.Id));
        });
    }

    private static EmulatorResponse ListSubscriptions(RequestContext context) =>
        Arm.Page(context, context.State.Subscriptions.Select(s => (JsonNode)Subscription(context, s)));

    private static EmulatorResponse GetSubscription(RequestContext context)
    {
        Arm.RequireSubscription(context, context["sub"]);
        return EmulatorResponse.Json(200, Subscription(context, context["sub"]));
    }

    private static JsonObject Subscription(RequestContext context, string id)
    {
        var index = context.State.Subscriptions.FindIndex(s => s.Equals(id, StringComparison.OrdinalIgnoreCase));
        return new JsonObject
        {
            ["id"] = $"/subscriptions/{id.ToLowerInvariant()}",
            ["authorizationSource"] = "RoleBased",
            ["managedByTenants"] = new JsonArray(),
            ["subscriptionId"] = id.ToLowerInvariant(),
            ["tenantId"] = context.State.TenantId,
            ["displayName"] = $"Foundry local subscription {index + 1}",
            ["state"] = "Enabled",
            ["subscriptionPolicies"] = new JsonObject { ["locationPlacementId"] = "Public_2014-09-01", ["quotaId"] = "PayAsYouGo_2014-09-01", ["spendingLimit"] = "Off" },
        };
    }

    private static EmulatorResponse ListTenants(RequestContext context) =>
        EmulatorResponse.Json(200, new JsonObject
        {
            ["value"] = new JsonArray(new JsonObject
            {
                ["id"] = $"/tenants/{context.State.TenantId}",
                ["tenantId"] = context.State.TenantId,
                ["tenantCategory"] = "Home",
                ["displayName"] = "Foundry local tenant",
            }),
        });

    private static EmulatorResponse ListProviders(RequestContext context)
    {
        Arm.RequireSubscription(context, context["sub"]);
        return Arm.Page(context, ProviderCatalog.Providers.Keys.Select(ns => (JsonNode)Provider(context["sub"], ns)));
    }

    private static EmulatorResponse GetProvider(RequestContext context)
    {
        Arm.RequireSubscription(context, context["sub"]);
        var ns = context["ns"];
        if (!ProviderCatalog.Providers.ContainsKey(ns))
        {
            return AzureError.Arm(404, "InvalidResourceNamespace", $"The resource namespace '{ns}' is invalid.");
        }
        return EmulatorResponse.Json(200, Provider(context["sub"], ns));
    }

    private static JsonObject Provider(string subscriptionId, string ns)
    {
        var name = ProviderCatalog.Providers.Keys.First(k => k.Equals(ns, StringComparison.OrdinalIgnoreCase));
        var types = new JsonArray();
        foreach (var (type, versions) in ProviderCatalog.Providers[name])
        {
            types.Add(new JsonObject
            {
                ["resourceType"] = type,
                ["locations"] = new JsonArray(ProviderCatalog.Locations.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
                ["apiVersions"] = new JsonArray(versions.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()),
                ["capabilities"] = "None",
            });
        }
        return new JsonObject
        {
            ["id"] = $"/subscriptions/{subscriptionId}/providers/{name}",
            ["namespace"] = name,
            ["registrationState"] = "Registered",
            ["registrationPolicy"] = "RegistrationRequired",
            ["resourceTypes"] = types,
        };
    }

    private static EmulatorResponse PollLocation(RequestContext context) =>
        context.State.Operations.TryGetValue(context["op"], out var operation)
            ? Arm.LocationPoll(context, operation)
            : AzureError.Arm(404, "NotFound", $"The operation '{context["op"]}' was not found.");

    private static EmulatorResponse PollProviderOperation(RequestContext context)
    {
        if (!context.State.Operations.TryGetValue(context["op"], out var operation))
        {
            return AzureError.Arm(404, "NotFound", $"The operation '{context["op"]}' was not found.");
        }
        return context.Query("monitor") == "location"
            ? Arm.LocationPoll(context, operation)
            : EmulatorResponse.Json(200, Arm.OperationStatus(operation));
    }

    private static EmulatorResponse ListResourceGroups(RequestContext context)
    {
        Arm.RequireSubscription(context, context["sub"]);
        var filter = ResourceListFilter.From(context, tagsOnly: true);
        var groups = context.State.Resources.Values
            .Where(r => r.Type == ResourceGroupType && r.SubscriptionId.Equals(context["sub"], StringComparison.OrdinalIgnoreCase))
            .Where(r => filter?.Matches(r) != false)
            .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase);
        return Arm.Page(context, groups.Select(g => (JsonNode)GroupJson(g)), ResourceListFilter.PageSize(context));
    }

    private static EmulatorResponse PutResourceGroup(RequestContext context)
    {
        var (sub, name) = (context["sub"], context["rg"]);
        Arm.RequireSubscription(context, sub);
        if (!ResourceGroupName.IsMatch(name) || name.EndsWith('.'))
        {
            return AzureError.Arm(400, "InvalidResourceGroup",
                $"The provided resource group name '{name}' has these invalid characters: '{new string(name.Where(ch => !(char.IsLetterOrDigit(ch) || "-_.()".Contains(ch))).Distinct().ToArray())}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.");
        }
        var body = context.RequireObject();
        var location = Arm.RequireLocation(body, ResourceGroupType);
        var existing = context.State.Find(ResourceIds.ResourceGroupId(sub, name));
        if (existing is not null)
        {
            if (existing.ProvisioningState == "Deleting")
            {
                return AzureError.Arm(409, "ResourceGroupBeingDeleted", $"The resource group '{existing.Name}' is in deprovisioning state and cannot perform this operation.");
            }
            if (!existing.Location!.Equals(location, StringComparison.OrdinalIgnoreCase))
            {
                return AzureError.Arm(409, "InvalidResourceGroupLocation",
                    $"Invalid resource group location '{location}'. The Resource group already exists in location '{existing.Location}'. A resource group can only be in one location.");
            }
            existing.Tags = Arm.ParseTags(body["tags"]);
            existing.Touch(context.Now);
            return EmulatorResponse.Json(200, GroupJson(existing));
        }
        var group = Arm.NewResource(context, ResourceIds.ResourceGroupId(sub, name), name, ResourceGroupType, sub, name);
        group.Location = location;
        group.Tags = Arm.ParseTags(body["tags"]);
        group.ManagedBy = body["managedBy"]?.GetValue<string>();
        group.ProvisioningState = "Succeeded";
        context.State.Put(group);
        return EmulatorResponse.Json(201, GroupJson(group));
    }

    private static EmulatorResponse GetResourceGroup(RequestContext context) =>
        EmulatorResponse.Json(200, GroupJson(Arm.RequireResourceGroup(context, context["sub"], context["rg"])));

    private static EmulatorResponse PatchResourceGroup(RequestContext context)
    {
        var group = Arm.RequireResourceGroup(context, context["sub"], context["rg"]);
        var body = context.RequireObject();
        if (body.ContainsKey("tags")) group.Tags = Arm.ParseTags(body["tags"]);
        group.Touch(context.Now);
        return EmulatorResponse.Json(200, GroupJson(group));
    }

    private static EmulatorResponse DeleteResourceGroup(RequestContext context)
    {
        var group = Arm.RequireResourceGroup(context, context["sub"], context["rg"]);
        var operation = context.State.Operations.Values.FirstOrDefault(o => o.Handler == "resourceGroups.delete" && !o.IsTerminal && o.ResourceId == group.Id)
            ?? context.Cloud.StartOperation(group.SubscriptionId, "Microsoft.Resources", null, group.Id, "resourceGroups.delete", "Microsoft.Resources/resourceGroups:delete", "Deleting");
        group.ProvisioningState = "Deleting";
        return EmulatorResponse.Empty(202)
            .WithHeader("Location", Arm.LocationUrl(context, operation))
            .WithHeader("Retry-After", Arm.RetryAfter(context.Cloud, operation));
    }

    private static EmulatorResponse ListResourcesInGroup(RequestContext context)
    {
        Arm.RequireResourceGroup(context, context["sub"], context["rg"]);
        var filter = ResourceListFilter.From(context);
        var items = context.State.InResourceGroup(context["sub"], context["rg"])
            .Where(r => r.Type != ResourceGroupType && ResourceIds.Parent(r.Id) is null && filter?.Matches(r) != false)
            .OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase)
            .Select(r => (JsonNode)r.ToJson(includeEtag: false));
        return Arm.Page(context, items, ResourceListFilter.PageSize(context));
    }

    private static EmulatorResponse ListResourcesInSubscription(RequestContext context)
    {
        Arm.RequireSubscription(context, context["sub"]);
        var filter = ResourceListFilter.From(context);
        var items = context.State.Resources.Values
            .Where(r => r.SubscriptionId.Equals(context["sub"], StringComparison.OrdinalIgnoreCase) && r.Type != ResourceGroupType && ResourceIds.Parent(r.Id) is null && r.ResourceGroup is not null)
            .Where(r => filter?.Matches(r) != false)
            .OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase)
            .Select(r => (JsonNode)r.ToJson(includeEtag: false));
        return Arm.Page(context, items, ResourceListFilter.PageSize(context));
    }

    private static JsonObject GroupJson(ArmResource group)
    {
        var body = new JsonObject
        {
            ["id"] = group.Id,
            ["name"] = group.Name,
            ["type"] = group.Type,
            ["location"] = group.Location,
        };
        if (group.Tags is { Count: > 0 }) body["tags"] = ArmResource.TagsJson(group.Tags);
        if (group.ManagedBy is not null) body["managedBy"] = group.ManagedBy;
        body["properties"] = new JsonObject { ["provisioningState"] = group.ProvisioningState ?? "Succeeded" };
        return body;
    }

    private static ArmResource TagScope(RequestContext context)
    {
        var scope = context["scope"];
        var target = context.State.Find(scope);
        if (target is null) throw RequestContext.Fail(AzureError.ResourceNotFound(scope));
        return target;
    }

    private static EmulatorResponse PutTags(RequestContext context)
    {
        var target = TagScope(context);
        target.Tags = Arm.ParseTags(context.RequireObject()["properties"]?["tags"]) ?? new(StringComparer.OrdinalIgnoreCase);
        target.Touch(context.Now);
        return EmulatorResponse.Json(200, TagsJson(target));
    }

    private static EmulatorResponse PatchTags(RequestContext context)
    {
        var target = TagScope(context);
        var body = context.RequireObject();
        var tags = Arm.ParseTags(body["properties"]?["tags"]) ?? new(StringComparer.OrdinalIgnoreCase);
        var current = new Dictionary<string, string>(target.Tags ?? new(), StringComparer.OrdinalIgnoreCase);
        switch (body["operation"]?.GetValue<string>())
        {
            case "Merge":
                foreach (var (k, v) in tags) current[k] = v;
                break;
            case "Replace":
                current = tags;
                break;
            case "Delete":
                // "Selectively deleting tags based on given names or name/value pairs": an empty value names the tag alone.
                foreach (var (k, v) in tags) if (current.TryGetValue(k, out var value) && (v.Length == 0 || value == v)) current.Remove(k);
                break;
            default:
                return AzureError.Arm(400, "InvalidRequestContent", "The 'operation' property must be one of 'Merge', 'Replace' or 'Delete'.");
        }
        if (current.Count > 50) return AzureError.Arm(400, "InvalidTag", "The number of tags exceeds the limit of 50.");
        target.Tags = current;
        target.Touch(context.Now);
        return EmulatorResponse.Json(200, TagsJson(target));
    }

    private static EmulatorResponse DeleteTags(RequestContext context)
    {
        var target = TagScope(context);
        target.Tags = new(StringComparer.OrdinalIgnoreCase);
        target.Touch(context.Now);
        return EmulatorResponse.Empty(200);
    }

    private static EmulatorResponse GetTags(RequestContext context) => EmulatorResponse.Json(200, TagsJson(TagScope(context)));

    private static JsonObject TagsJson(ArmResource target) => new()
    {
        ["id"] = target.Id + "/providers/Microsoft.Resources/tags/default",
        ["name"] = "default",
        ["type"] = "Microsoft.Resources/tags",
        ["properties"] = new JsonObject { ["tags"] = ArmResource.TagsJson(target.Tags ?? new()) },
    };
}
