using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Policy;

/// <summary>
/// Policy Assignments - List (subscription) and List For Resource Group, read-only: the assignments the control API
/// seeded, as Azure lists them (https://learn.microsoft.com/rest/api/policy/policy-assignments/list). $filter
/// atScope() lists those that apply to the scope (at it or above it); policyDefinitionId eq '{id}' those of one
/// definition that apply to it; no filter adds those assigned inside the scope.
/// </summary>
internal sealed class PolicyAssignmentsArea : IEmulatorArea
{
    public const string AssignmentType = "Microsoft.Authorization/policyAssignments";
    private const string List = "(?<scope>/subscriptions/[^/]+(?:/resourceGroups/[^/]+)?)/providers/Microsoft\\.Authorization/policyAssignments";
    private static readonly System.Text.RegularExpressions.Regex DefinitionFilter = new("^policyDefinitionId eq '(?<id>[^']+)'$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    public void Register(RouteTable routes, LocalCloud cloud) =>
        routes.Map(ServiceKind.Management, "GET", List, ListAssignments, new RouteOptions { ApiVersionOf = AssignmentType });

    private static EmulatorResponse ListAssignments(RequestContext c)
    {
        var scope = c["scope"].TrimEnd('/');
        var parts = scope.Split('/', StringSplitOptions.RemoveEmptyEntries);
        Arm.Arm.RequireSubscription(c, parts[1]);
        if (parts.Length == 4) Arm.Arm.RequireResourceGroup(c, parts[1], parts[3]);
        var filter = c.Query("$filter")?.Trim();
        var definition = filter is null ? null : DefinitionFilter.Match(filter) is { Success: true } match ? match.Groups["id"].Value : null;
        if (filter is not null && definition is null && !filter.Equals("atScope()", StringComparison.OrdinalIgnoreCase) && !filter.Equals("atExactScope()", StringComparison.OrdinalIgnoreCase))
        {
            return AzureError.Arm(400, "InvalidFilterInQueryString", $"Invalid $filter '{filter}' specified in the query string.");
        }
        bool Applies(PolicyAssignment a) => Covers(a.Scope, scope);
        var items = c.State.PolicyAssignments.Where(a =>
            filter is null ? Applies(a) || Covers(scope, a.Scope)
            : filter.Equals("atExactScope()", StringComparison.OrdinalIgnoreCase) ? a.Scope.TrimEnd('/').Equals(scope, StringComparison.OrdinalIgnoreCase)
            : definition is not null ? Applies(a) && a.PolicyDefinitionId.Equals(definition, StringComparison.OrdinalIgnoreCase)
            : Applies(a));
        return Arm.Arm.Page(c, items.Select(a => (JsonNode)Json(a)));
    }

    /// <summary>Whether <paramref name="outer"/> is <paramref name="inner"/> or one of its ancestors.</summary>
    private static bool Covers(string outer, string inner)
    {
        var o = outer.TrimEnd('/');
        return inner.Equals(o, StringComparison.OrdinalIgnoreCase) || inner.StartsWith(o + "/", StringComparison.OrdinalIgnoreCase);
    }

    private static JsonObject Json(PolicyAssignment a) => new()
    {
        ["id"] = a.Id,
        ["name"] = a.Name,
        ["type"] = AssignmentType,
        ["properties"] = new JsonObject
        {
            ["displayName"] = a.DisplayName,
            ["policyDefinitionId"] = a.PolicyDefinitionId,
            ["scope"] = a.Scope,
            ["notScopes"] = new JsonArray(),
            ["parameters"] = new JsonObject(),
            ["enforcementMode"] = "Default",
        },
    };
}
