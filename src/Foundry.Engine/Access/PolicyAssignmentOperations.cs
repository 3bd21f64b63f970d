using System.Text.Json;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Access;

/// <summary>An Azure Policy assignment as Foundry reads it (to name it in an error before any write).</summary>
public sealed record PolicyAssignmentInfo(string Id, string Name, string? DisplayName, string PolicyDefinitionId, string? EnforcementMode, string? Effect);

/// <summary>
/// Reads Azure Policy assignments (Policy Assignments - List / List For Resource Group,
/// https://learn.microsoft.com/rest/api/policy/policy-assignments/list): which assignments of a definition apply to a scope.
/// </summary>
internal sealed class PolicyAssignmentOperations
{
    private readonly ArmRestClient rest;

    public PolicyAssignmentOperations(ArmClient arm) => rest = new ArmRestClient(arm);

    /// <summary>The assignments of <paramref name="definitionId"/> that apply to <paramref name="scope"/> (a subscription or resource group id): at it or above it.</summary>
    public async Task<IReadOnlyList<PolicyAssignmentInfo>> ListAppliedAsync(string scope, string definitionId, CancellationToken cancellationToken)
    {
        var filter = Uri.EscapeDataString($"policyDefinitionId eq '{definitionId}'");
        string? next = $"{scope}/providers/Microsoft.Authorization/policyAssignments?api-version={ApiVersions.PolicyAssignments}&$filter={filter}";
        var list = new List<PolicyAssignmentInfo>();
        var context = new FailureContext("list the Azure Policy assignments", scope, "Reader");
        while (next is not null)
        {
            var page = await rest.SendAsync(RequestMethod.Get, next, null, context, cancellationToken).ConfigureAwait(false);
            using var json = page.Json();
            foreach (var item in json.RootElement.GetProperty("value").EnumerateArray())
            {
                var properties = item.TryGetProperty("properties", out var p) ? p : default;
                var effect = properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object &&
                    parameters.TryGetProperty("effect", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString() : null;
                list.Add(new PolicyAssignmentInfo(Text(item, "id") ?? "", Text(item, "name") ?? "", Text(properties, "displayName"), Text(properties, "policyDefinitionId") ?? definitionId,
                    Text(properties, "enforcementMode"), effect));
            }
            next = json.RootElement.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
        }
        return list;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
