using System.Text.Json.Nodes;

namespace Foundry.Emulator.State;

public sealed partial class EmulatorState
{
    /// <summary>Azure Policy assignments seeded by tests and demos (the control API); Resource Manager evaluates them on every PUT and PATCH.</summary>
    public List<PolicyAssignment> PolicyAssignments { get; set; } = new();
}

/// <summary>
/// One policy assignment with its (single) rule inlined: the resource type it applies to, the conditions that must all
/// hold, and its effect — deny refuses the write, modify rewrites a property of the request before the provider sees it.
/// </summary>
public sealed class PolicyAssignment
{
    /// <summary>The assignment's name (the last segment of its id).</summary>
    public required string Name { get; set; }
    public string? DisplayName { get; set; }
    /// <summary>A subscription or resource group id; the assignment covers everything under it.</summary>
    public required string Scope { get; set; }
    /// <summary>"deny" or "modify".</summary>
    public required string Effect { get; set; }
    /// <summary>Full resource type, e.g. Microsoft.CognitiveServices/accounts.</summary>
    public required string ResourceType { get; set; }
    public List<PolicyCondition> Conditions { get; set; } = new();
    /// <summary>modify: the property path set (e.g. properties.disableLocalAuth) and its value (addOrReplace).</summary>
    public string? ModifyField { get; set; }
    public JsonNode? ModifyValue { get; set; }
    public string PolicyDefinitionId { get; set; } = "";
    public string? PolicyDefinitionDisplayName { get; set; }

    public string Id => $"{Scope.TrimEnd('/')}/providers/Microsoft.Authorization/policyAssignments/{Name}";
}

/// <summary>A field condition: the field (a path such as properties.publicNetworkAccess) equals, does not equal, or exists.</summary>
public sealed class PolicyCondition
{
    public required string Field { get; set; }
    public JsonNode? EqualTo { get; set; }
    public JsonNode? NotEqualTo { get; set; }
    public bool? Exists { get; set; }
}
