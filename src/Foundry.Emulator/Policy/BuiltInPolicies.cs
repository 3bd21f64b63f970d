using System.Text.Json.Nodes;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Policy;

/// <summary>Ready-made assignments of the policies customers' subscriptions commonly carry, for tests and demos.</summary>
public static class BuiltInPolicies
{
    /// <summary>Built-in "Configure Cognitive Services accounts to disable local authentication methods" (modify).</summary>
    public const string DisableLocalAuthDefinitionId = "/providers/Microsoft.Authorization/policyDefinitions/14de9e63-1b31-492e-a5a3-c3f7fd57f555";

    /// <summary>The modify assignment that forces disableLocalAuth: true on every Cognitive Services account under <paramref name="scope"/>.</summary>
    public static PolicyAssignment DisableLocalAuth(string scope, string name = "disable-ai-local-auth") => new()
    {
        Name = name,
        DisplayName = "Configure Cognitive Services accounts to disable local authentication methods",
        Scope = scope,
        Effect = "modify",
        ResourceType = "Microsoft.CognitiveServices/accounts",
        Conditions = { new PolicyCondition { Field = "properties.disableLocalAuth", NotEqualTo = JsonValue.Create(true) } },
        ModifyField = "properties.disableLocalAuth",
        ModifyValue = JsonValue.Create(true),
        PolicyDefinitionId = DisableLocalAuthDefinitionId,
        PolicyDefinitionDisplayName = "Configure Cognitive Services accounts to disable local authentication methods",
    };

    /// <summary>A deny assignment on one resource type whose <paramref name="field"/> equals <paramref name="value"/> (or on every write of the type when field is null).</summary>
    public static PolicyAssignment Deny(string scope, string name, string displayName, string resourceType, string? field = null, JsonNode? value = null) => new()
    {
        Name = name,
        DisplayName = displayName,
        Scope = scope,
        Effect = "deny",
        ResourceType = resourceType,
        Conditions = field is null ? new() : new() { new PolicyCondition { Field = field, EqualTo = value } },
        PolicyDefinitionId = $"{scope.TrimEnd('/')}/providers/Microsoft.Authorization/policyDefinitions/{name}-definition",
        PolicyDefinitionDisplayName = displayName,
    };
}
