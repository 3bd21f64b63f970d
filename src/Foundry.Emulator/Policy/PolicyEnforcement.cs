using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Policy;

/// <summary>
/// Azure Policy at request time, as Resource Manager applies it to a PUT or PATCH of a resource before the provider
/// sees it: modify effects rewrite the request body, then deny effects refuse it with 403 RequestDisallowedByPolicy
/// naming the assignment and definition in additionalInfo (type PolicyViolation), as ARM does.
/// </summary>
internal static class PolicyEnforcement
{
    // /subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{childType}/{childName}]…
    private static readonly Regex ResourcePath = new(
        "^/subscriptions/(?<sub>[^/]+)/resourcegroups/(?<rg>[^/]+)/providers/(?<ns>[^/]+)/(?<rest>[^/]+/[^/]+(?:/[^/]+/[^/]+)*)$",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    /// <summary>The deny answer, or null when the request may go on (after modify effects rewrote its body).</summary>
    public static EmulatorResponse? Apply(RequestContext context)
    {
        if (context.Method is not ("PUT" or "PATCH") || context.State.PolicyAssignments.Count == 0) return null;
        var match = ResourcePath.Match(context.Path.TrimEnd('/'));
        if (!match.Success || match.Groups["ns"].Value.Equals("Microsoft.Resources", StringComparison.OrdinalIgnoreCase)) return null;
        var segments = match.Groups["rest"].Value.Split('/');
        var type = match.Groups["ns"].Value + "/" + string.Join("/", segments.Where((_, i) => i % 2 == 0));
        var name = segments[^1];
        var id = context.Path.TrimEnd('/');
        var applicable = context.State.PolicyAssignments
            .Where(a => a.ResourceType.Equals(type, StringComparison.OrdinalIgnoreCase) && Covers(a.Scope, id))
            .ToList();
        if (applicable.Count == 0 || context.Body is not JsonObject body) return null;

        // Policy judges the resource as it would be after the write: a PATCH merges into what is there.
        JsonObject Candidate()
        {
            if (context.Method == "PUT" || context.State.Find(id) is not { } existing) return body;
            var merged = existing.ToJson();
            Arm.ResourceWrites.MergePatch(merged, body);
            return merged;
        }

        foreach (var assignment in applicable.Where(a => a.Effect.Equals("modify", StringComparison.OrdinalIgnoreCase) && a.ModifyField is not null))
        {
            if (Matches(assignment, Candidate())) Set(body, assignment.ModifyField!, assignment.ModifyValue);
        }
        var denied = applicable.FirstOrDefault(a => a.Effect.Equals("deny", StringComparison.OrdinalIgnoreCase) && Matches(a, Candidate()));
        return denied is null ? null : Deny(denied, name, type);
    }

    private static bool Covers(string scope, string resourceId)
    {
        var prefix = scope.TrimEnd('/') + "/";
        return resourceId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
    }

    private static bool Matches(PolicyAssignment assignment, JsonObject resource) =>
        assignment.Conditions.All(condition =>
        {
            var value = Read(resource, condition.Field);
            if (condition.Exists is { } exists && (value is not null) != exists) return false;
            if (condition.EqualTo is { } equal && !Same(value, equal)) return false;
            if (condition.NotEqualTo is { } different && Same(value, different)) return false;
            return true;
        });

    // Policy compares case-insensitively, and a missing field equals nothing.
    private static bool Same(JsonNode? value, JsonNode expected) =>
        value is not null && string.Equals(Text(value), Text(expected), StringComparison.OrdinalIgnoreCase);

    private static string Text(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();

    private static JsonNode? Read(JsonObject resource, string path)
    {
        JsonNode? node = resource;
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject o) return null;
            node = o.FirstOrDefault(p => p.Key.Equals(part, StringComparison.OrdinalIgnoreCase)).Value;
        }
        return node;
    }

    private static void Set(JsonObject resource, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = resource;
        foreach (var part in parts[..^1])
        {
            if (node[part] is not JsonObject child) node[part] = child = new JsonObject();
            node = child;
        }
        node[parts[^1]] = value?.DeepClone();
    }

    private static EmulatorResponse Deny(PolicyAssignment assignment, string resourceName, string resourceType)
    {
        var definitionName = assignment.PolicyDefinitionId.Split('/')[^1];
        var identifiers = new JsonArray(new JsonObject
        {
            ["policyAssignment"] = new JsonObject { ["name"] = assignment.DisplayName ?? assignment.Name, ["id"] = assignment.Id },
            ["policyDefinition"] = new JsonObject { ["name"] = assignment.PolicyDefinitionDisplayName ?? definitionName, ["id"] = assignment.PolicyDefinitionId },
        });
        var info = new JsonObject
        {
            ["evaluationDetails"] = new JsonObject { ["evaluatedExpressions"] = new JsonArray(new JsonObject
            {
                ["result"] = "True", ["expressionKind"] = "Field", ["expression"] = "type", ["path"] = "type",
                ["expressionValue"] = resourceType, ["targetValue"] = assignment.ResourceType, ["operator"] = "Equals",
            }) },
            ["policyDefinitionId"] = assignment.PolicyDefinitionId,
            ["policyDefinitionName"] = definitionName,
            ["policyDefinitionDisplayName"] = assignment.PolicyDefinitionDisplayName ?? definitionName,
            ["policyDefinitionEffect"] = "Deny",
            ["policyAssignmentId"] = assignment.Id,
            ["policyAssignmentName"] = assignment.Name,
            ["policyAssignmentDisplayName"] = assignment.DisplayName ?? assignment.Name,
            ["policyAssignmentScope"] = assignment.Scope,
            ["policyAssignmentParameters"] = new JsonObject(),
            ["policyExemptionIds"] = new JsonArray(),
            ["policyEnrollmentIds"] = new JsonArray(),
        };
        return EmulatorResponse.Json(403, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = "RequestDisallowedByPolicy",
                ["target"] = resourceName,
                ["message"] = $"Resource '{resourceName}' was disallowed by policy. Policy identifiers: '{identifiers.ToJsonString()}'.",
                ["additionalInfo"] = new JsonArray(new JsonObject { ["type"] = "PolicyViolation", ["info"] = info }),
            },
        });
    }
}
