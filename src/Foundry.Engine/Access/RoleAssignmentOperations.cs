using System.Text.Json;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Naming;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Access;

/// <summary>A role assignment.</summary>
public sealed record RoleAssignmentInfo(string ResourceId, string Name, string Scope, string PrincipalId, string RoleDefinitionId);

/// <summary>Built-in role definition GUIDs Foundry assigns or names in its errors.</summary>
public static class BuiltInRoles
{
    /// <summary>Key Vault Secrets User: read secret values.</summary>
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    /// <summary>Key Vault Secrets Officer: manage secrets.</summary>
    public const string KeyVaultSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    /// <summary>Cognitive Services OpenAI User: call a deployment's inference APIs with an Entra token (no management rights).</summary>
    public const string CognitiveServicesOpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
}

/// <summary>
/// Microsoft.Authorization role assignments at any scope. Names are derived from scope, principal and role, so a
/// re-run PUTs the same assignment (200) instead of adding one; an equal assignment under another name (409
/// RoleAssignmentExists) is found and reused.
/// </summary>
public sealed class RoleAssignmentOperations
{
    private readonly ArmRestClient rest;

    internal RoleAssignmentOperations(ArmClient arm) => rest = new ArmRestClient(arm);

    /// <summary>Assignments at the scope (atScope) for the principal, if given.</summary>
    public async Task<IReadOnlyList<RoleAssignmentInfo>> ListAsync(string scope, string? principalId, CancellationToken cancellationToken)
    {
        var filter = principalId is null ? "atScope()" : $"principalId eq '{principalId}'";
        string? next = $"{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={ApiVersions.Authorization}&$filter={Uri.EscapeDataString(filter)}";
        var list = new List<RoleAssignmentInfo>();
        var context = new FailureContext("list role assignments", scope, "Reader");
        while (next is not null)
        {
            var page = await rest.SendAsync(RequestMethod.Get, next, null, context, cancellationToken).ConfigureAwait(false);
            using var json = page.Json();
            foreach (var item in json.RootElement.GetProperty("value").EnumerateArray()) list.Add(ToInfo(item));
            next = json.RootElement.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String ? link.GetString() : null;
        }
        return list;
    }

    /// <summary>The existing assignment of <paramref name="roleGuid"/> to the principal at exactly this scope, or null.</summary>
    public async Task<RoleAssignmentInfo?> FindAsync(string scope, string principalId, string roleGuid, CancellationToken cancellationToken) =>
        (await ListAsync(scope, principalId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(a =>
            a.Scope.Equals(scope, StringComparison.OrdinalIgnoreCase) && a.RoleDefinitionId.EndsWith(roleGuid, StringComparison.OrdinalIgnoreCase));

    /// <summary>Assigns the role unless an equal assignment exists; returns it and whether it was created.</summary>
    public async Task<(RoleAssignmentInfo Assignment, bool Created)> EnsureAsync(string scope, string principalId, string roleGuid, string? principalType, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(scope, principalId, roleGuid, cancellationToken).ConfigureAwait(false);
        if (existing is not null) return (existing, false);
        var name = ResourceNames.RoleAssignmentName(scope, principalId, roleGuid);
        var subscription = new ResourceIdentifier(scope).SubscriptionId;
        var body = new Dictionary<string, object>
        {
            // principalType spares Azure a directory lookup (and PrincipalNotFound right after an identity is created);
            // it is left out when unknown, since a wrong one is refused.
            ["properties"] = principalType is null
                ? new Dictionary<string, string>
                {
                    ["roleDefinitionId"] = $"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{roleGuid}",
                    ["principalId"] = principalId,
                }
                : new Dictionary<string, string>
                {
                    ["roleDefinitionId"] = $"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{roleGuid}",
                    ["principalId"] = principalId,
                    ["principalType"] = principalType,
                },
        };
        var context = new FailureContext($"assign role {roleGuid} to principal {principalId}", scope, "User Access Administrator");
        try
        {
            var result = await rest.SendAsync(RequestMethod.Put, $"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version={ApiVersions.Authorization}",
                body, context, cancellationToken).ConfigureAwait(false);
            using var json = result.Json();
            return (ToInfo(json.RootElement), result.Status == 201);
        }
        catch (FoundryEngineException e) when (e.ErrorCode == "RoleAssignmentExists")
        {
            var found = await FindAsync(scope, principalId, roleGuid, cancellationToken).ConfigureAwait(false);
            if (found is null) throw;
            return (found, false);
        }
    }

    /// <summary>Deletes the assignment; false when it was already gone (204).</summary>
    public async Task<bool> DeleteAsync(string assignmentId, CancellationToken cancellationToken)
    {
        var result = await rest.SendAsync(RequestMethod.Delete, $"{assignmentId}?api-version={ApiVersions.Authorization}", null,
            new FailureContext("delete the role assignment", assignmentId, "User Access Administrator"), cancellationToken, 404).ConfigureAwait(false);
        return result.Status == 200;
    }

    private static RoleAssignmentInfo ToInfo(JsonElement item)
    {
        var properties = item.GetProperty("properties");
        return new RoleAssignmentInfo(item.GetProperty("id").GetString() ?? "", item.GetProperty("name").GetString() ?? "",
            properties.TryGetProperty("scope", out var s) ? s.GetString() ?? "" : "", properties.GetProperty("principalId").GetString() ?? "",
            properties.GetProperty("roleDefinitionId").GetString() ?? "");
    }
}
