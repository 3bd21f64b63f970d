using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.KeyVault;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Authorization;

/// <summary>
/// Microsoft.Authorization role assignments at any scope (subscription, group, resource). Stored under their scope,
/// so deleting the scope deletes them. An equal assignment (principal, role, scope) under another name is refused
/// with 409 RoleAssignmentExists, as Azure does.
/// </summary>
internal sealed class AuthorizationArea : IEmulatorArea
{
    public const string AssignmentType = "Microsoft.Authorization/roleAssignments";
    private const string Assignment = "(?<scope>/subscriptions/.+?)/providers/Microsoft\\.Authorization/roleAssignments/(?<name>[^/]+)";
    private const string List = "(?<scope>/subscriptions/[^?]+?)/providers/Microsoft\\.Authorization/roleAssignments";

    /// <summary>Built-in role GUID → role name (the definitions themselves are in <see cref="RoleDefinitions"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltInRoles =
        RoleDefinitions.BuiltIn.ToDictionary(d => d.Guid, d => d.RoleName, StringComparer.OrdinalIgnoreCase);

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var options = new RouteOptions { ApiVersionOf = AssignmentType };
        routes.Map(ServiceKind.Management, "PUT", Assignment, Put, options);
        routes.Map(ServiceKind.Management, "GET", Assignment, c =>
        {
            RequireScope(c);
            return c.State.Find(IdOf(c)) is { } assignment ? EmulatorResponse.Json(200, Json(assignment))
                : AzureError.Arm(404, "RoleAssignmentNotFound", $"The role assignment '{c["name"]}' is not found.");
        }, options);
        routes.Map(ServiceKind.Management, "DELETE", Assignment, c =>
        {
            RequireScope(c);
            var assignment = c.State.Find(IdOf(c));
            if (assignment is null) return EmulatorResponse.Empty(204);
            c.State.Resources.Remove(EmulatorState.Key(assignment.Id));
            Realism.RoleAssignmentPropagation.Revoked(c.Cloud, assignment);
            return EmulatorResponse.Json(200, Json(assignment));
        }, options);
        routes.Map(ServiceKind.Management, "GET", List, ListAssignments, options);
        RoleDefinitions.Register(routes);
    }

    private static string IdOf(RequestContext c) => $"{c["scope"].TrimEnd('/')}/providers/{AssignmentType}/{c["name"]}";

    private static void RequireScope(RequestContext c)
    {
        var scope = c["scope"].TrimEnd('/');
        var parts = scope.Split('/', StringSplitOptions.RemoveEmptyEntries);
        Arm.Arm.RequireSubscription(c, parts[1]);
        if (parts.Length == 2) return;
        if (parts.Length == 4) Arm.Arm.RequireResourceGroup(c, parts[1], parts[3]);
        else if (c.State.Find(scope) is null) throw RequestContext.Fail(AzureError.ResourceNotFound(scope));
    }

    private static EmulatorResponse Put(RequestContext c)
    {
        if (!Guid.TryParse(c["name"], out _))
        {
            return AzureError.Arm(400, "InvalidRoleAssignmentId", $"The role assignment ID '{c["name"]}' is not valid. The role assignment ID must be a GUID.");
        }
        RequireScope(c);
        var properties = c.RequireObject()["properties"] as JsonObject ?? throw RequestContext.Fail(AzureError.InvalidRequestContent("properties is required"));
        var roleDefinitionId = properties["roleDefinitionId"]?.GetValue<string>() ?? "";
        var principalId = properties["principalId"]?.GetValue<string>() ?? "";
        var roleGuid = RoleDefinitions.RequireGuid(roleDefinitionId);
        if (principalId.Length == 0) return AzureError.Arm(400, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.");
        var scope = c["scope"].TrimEnd('/');
        var id = IdOf(c);
        var existing = c.State.Find(id);
        var duplicate = c.State.Resources.Values.FirstOrDefault(r => r.Type == AssignmentType && !r.Id.Equals(id, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(r.Properties["scope"]?.GetValue<string>(), scope, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(r.Properties["principalId"]?.GetValue<string>(), principalId, StringComparison.OrdinalIgnoreCase) &&
            (r.Properties["roleDefinitionId"]?.GetValue<string>() ?? "").EndsWith(roleGuid, StringComparison.OrdinalIgnoreCase));
        if (duplicate is not null) return AzureError.Arm(409, "RoleAssignmentExists", "The role assignment already exists.");
        if (existing is not null)
        {
            if (!string.Equals(existing.Properties["principalId"]?.GetValue<string>(), principalId, StringComparison.OrdinalIgnoreCase) ||
                !(existing.Properties["roleDefinitionId"]?.GetValue<string>() ?? "").EndsWith(roleGuid, StringComparison.OrdinalIgnoreCase))
            {
                return AzureError.Arm(400, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
            }
            return EmulatorResponse.Json(200, Json(existing));
        }
        var subscription = scope.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];
        var assignment = Arm.Arm.NewResource(c, id, c["name"], AssignmentType, subscription, ResourceIds.ResourceGroup(scope));
        assignment.Properties = new JsonObject
        {
            ["roleDefinitionId"] = $"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{roleGuid}",
            ["principalId"] = principalId,
            ["principalType"] = properties["principalType"]?.GetValue<string>() ?? "User",
            ["scope"] = scope,
            ["condition"] = null,
            ["conditionVersion"] = null,
            ["createdOn"] = c.Now.UtcDateTime.ToString("o"),
            ["updatedOn"] = c.Now.UtcDateTime.ToString("o"),
            ["createdBy"] = c.Principal,
            ["updatedBy"] = c.Principal,
            ["delegatedManagedIdentityResourceId"] = null,
            ["description"] = properties["description"]?.GetValue<string>(),
        };
        c.State.Put(assignment);
        Realism.RoleAssignmentPropagation.Granted(c.Cloud, assignment);
        return EmulatorResponse.Json(201, Json(assignment));
    }

    /// <summary>Assignments that apply at the scope: at or above it always, below it too unless $filter=atScope().</summary>
    private static EmulatorResponse ListAssignments(RequestContext c)
    {
        RequireScope(c);
        var scope = c["scope"].TrimEnd('/');
        var filter = c.Query("$filter") ?? "";
        var atScope = filter.Contains("atScope()", StringComparison.OrdinalIgnoreCase);
        string? principal = null;
        var match = System.Text.RegularExpressions.Regex.Match(filter, "principalId eq '([^']+)'", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (match.Success) principal = match.Groups[1].Value;
        var items = c.State.Resources.Values.Where(r => r.Type == AssignmentType).Where(r =>
        {
            var assigned = r.Properties["scope"]?.GetValue<string>() ?? "";
            var applies = SecretAccess.Covers(assigned, scope) || (!atScope && SecretAccess.Covers(scope, assigned));
            return applies && (principal is null || string.Equals(r.Properties["principalId"]?.GetValue<string>(), principal, StringComparison.OrdinalIgnoreCase));
        }).OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase).Select(r => (JsonNode)Json(r));
        return Arm.Arm.Page(c, items);
    }

    private static JsonObject Json(ArmResource assignment) => new()
    {
        ["properties"] = assignment.Properties.DeepClone(),
        ["id"] = assignment.Id,
        ["type"] = AssignmentType,
        ["name"] = assignment.Name,
    };
}
