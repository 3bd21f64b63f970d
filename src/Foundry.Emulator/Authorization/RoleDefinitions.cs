using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Emulator.Routing;

namespace Foundry.Emulator.Authorization;

/// <summary>
/// The built-in role definitions Foundry's users assign for Key Vault, Cognitive Services (OpenAI) and App Service,
/// with Azure's own GUIDs (the built-in roles reference), served under any scope at
/// {scope}/providers/Microsoft.Authorization/roleDefinitions[/{id}] with $filter=roleName eq '…', shaped as the
/// recorded Java RBAC test shows them. A roleDefinitionId that is not a role definition id is refused as Azure does.
/// </summary>
internal static class RoleDefinitions
{
    public const string DefinitionType = "Microsoft.Authorization/roleDefinitions";
    private static readonly DateTimeOffset Published = new(2015, 2, 2, 21, 55, 9, TimeSpan.Zero);

    private static readonly Regex WellFormedId = new(
        @"^(/subscriptions/[^/]+(/resourceGroups/[^/]+)?)?/providers/Microsoft\.Authorization/roleDefinitions/(?<guid>[^/]+)$",
        RegexOptions.IgnoreCase | RegexOptions.Compiled);

    public sealed record Definition(string Guid, string RoleName, string Description, string[] Actions, string[] DataActions);

    public static readonly IReadOnlyList<Definition> BuiltIn = new[]
    {
        new Definition("4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User", "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
            Array.Empty<string>(), new[] { "Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action" }),
        new Definition("b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer", "Perform any action on the secrets of a key vault, except manage permissions.",
            new[] { "Microsoft.Authorization/*/read", "Microsoft.KeyVault/vaults/*/read", "Microsoft.Resources/deployments/*", "Microsoft.Resources/subscriptions/resourceGroups/read" }, new[] { "Microsoft.KeyVault/vaults/secrets/*" }),
        new Definition("00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator", "Perform all data plane operations on a key vault and all objects in it, including certificates, keys, and secrets.",
            new[] { "Microsoft.Authorization/*/read", "Microsoft.KeyVault/checkNameAvailability/read", "Microsoft.KeyVault/deletedVaults/read", "Microsoft.KeyVault/locations/*/read", "Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/operations/read" },
            new[] { "Microsoft.KeyVault/vaults/*" }),
        new Definition("14b46e9e-c2b7-41b4-b07b-48a6ebf60603", "Key Vault Crypto Officer", "Perform any action on the keys of a key vault, except manage permissions.",
            new[] { "Microsoft.Authorization/*/read", "Microsoft.KeyVault/vaults/*/read" }, new[] { "Microsoft.KeyVault/vaults/keys/*" }),
        new Definition("5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", "Cognitive Services OpenAI User", "Read access to view files, models, deployments. The ability to create completion and embedding calls.",
            new[] { "Microsoft.CognitiveServices/*/read", "Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleDefinitions/read" }, new[] { "Microsoft.CognitiveServices/accounts/OpenAI/*/read", "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action" }),
        new Definition("a001fd3d-188f-4b5d-821b-7da978bf7442", "Cognitive Services OpenAI Contributor", "Full access including the ability to fine-tune, deploy and generate text.",
            new[] { "Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/deployments/write", "Microsoft.CognitiveServices/accounts/deployments/delete" }, new[] { "Microsoft.CognitiveServices/accounts/OpenAI/*" }),
        new Definition("a97b65f3-24c7-4388-baec-2e87135dc908", "Cognitive Services User", "Lets you read and list keys of Cognitive Services.",
            new[] { "Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/listkeys/action" }, new[] { "Microsoft.CognitiveServices/*" }),
        new Definition("25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68", "Cognitive Services Contributor", "Lets you create, read, update, delete and manage keys of Cognitive Services.",
            new[] { "Microsoft.CognitiveServices/*" }, Array.Empty<string>()),
        new Definition("de139f84-1756-47ae-9be6-808fbbe84772", "Website Contributor", "Lets you manage websites (not web plans), but not access to them.",
            new[] { "Microsoft.Authorization/*/read", "Microsoft.Web/sites/*", "Microsoft.Web/serverFarms/join/action", "Microsoft.Web/serverFarms/read" }, Array.Empty<string>()),
        new Definition("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor", "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
            new[] { "*" }, Array.Empty<string>()),
        new Definition("8e3af657-a8ff-4c83-bc78-98f1c1e8f978", "Owner", "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.", new[] { "*" }, Array.Empty<string>()),
        new Definition("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader", "View all resources, but does not allow you to make any changes.", new[] { "*/read" }, Array.Empty<string>()),
        new Definition("7f951dda-4ed3-4680-a7ca-43fe172d538d", "AcrPull", "acr pull", new[] { "Microsoft.ContainerRegistry/registries/pull/read" }, Array.Empty<string>()),
    };

    public static readonly IReadOnlyDictionary<string, Definition> ByGuid = BuiltIn.ToDictionary(d => d.Guid, StringComparer.OrdinalIgnoreCase);

    public static void Register(RouteTable routes)
    {
        var options = new RouteOptions { ApiVersionOf = DefinitionType };
        routes.Map(ServiceKind.Management, "GET", "(?<scope>(?:/subscriptions/[^/]+.*?)?)/providers/Microsoft\\.Authorization/roleDefinitions/(?<id>[^/]+)", Get, options);
        routes.Map(ServiceKind.Management, "GET", "(?<scope>(?:/subscriptions/[^/]+.*?)?)/providers/Microsoft\\.Authorization/roleDefinitions", List, options);
    }

    /// <summary>
    /// The GUID a roleDefinitionId names. Not a role definition id at all (a role name, a GUID with stray characters)
    /// is 400 InvalidRoleDefinitionId, as Azure answers; a well-formed id of an unknown GUID is 400 RoleDefinitionDoesNotExist.
    /// </summary>
    public static string RequireGuid(string roleDefinitionId)
    {
        var match = WellFormedId.Match(roleDefinitionId);
        var last = roleDefinitionId.Split('/').Last();
        if (!match.Success || !System.Guid.TryParse(match.Groups["guid"].Value, out _) || match.Groups["guid"].Value.Length != 36)
        {
            throw RequestContext.Fail(AzureError.Arm(400, "InvalidRoleDefinitionId", $"The role definition ID '{(last.Length > 0 ? last : roleDefinitionId)}' is not valid."));
        }
        var guid = match.Groups["guid"].Value;
        if (!ByGuid.ContainsKey(guid))
        {
            throw RequestContext.Fail(AzureError.Arm(400, "RoleDefinitionDoesNotExist", $"The specified role definition with ID '{guid}' does not exist."));
        }
        return guid;
    }

    private static EmulatorResponse Get(RequestContext c)
    {
        var subscription = SubscriptionOf(c);
        if (!ByGuid.TryGetValue(c["id"], out var definition))
        {
            return AzureError.Arm(404, "RoleDefinitionDoesNotExist", $"The specified role definition with ID '{c["id"]}' does not exist.");
        }
        return EmulatorResponse.Json(200, Json(definition, subscription));
    }

    private static EmulatorResponse List(RequestContext c)
    {
        var subscription = SubscriptionOf(c);
        var filter = c.Query("$filter") ?? "";
        var byName = Regex.Match(filter, @"roleName\s+eq\s+'([^']*)'", RegexOptions.IgnoreCase);
        var byType = Regex.Match(filter, @"type\s+eq\s+'([^']*)'", RegexOptions.IgnoreCase);
        var items = BuiltIn
            .Where(d => !byName.Success || d.RoleName.Equals(byName.Groups[1].Value, StringComparison.OrdinalIgnoreCase))
            .Where(d => !byType.Success || byType.Groups[1].Value.Equals("BuiltInRole", StringComparison.OrdinalIgnoreCase))
            .Select(d => (JsonNode)Json(d, subscription));
        return Arm.Arm.Page(c, items);
    }

    private static string? SubscriptionOf(RequestContext c)
    {
        var parts = c["scope"].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) return null;
        Arm.Arm.RequireSubscription(c, parts[1]);
        return parts[1];
    }

    private static JsonObject Json(Definition d, string? subscription) => new()
    {
        ["properties"] = new JsonObject
        {
            ["roleName"] = d.RoleName,
            ["type"] = "BuiltInRole",
            ["description"] = d.Description,
            ["assignableScopes"] = new JsonArray("/"),
            ["permissions"] = new JsonArray(new JsonObject
            {
                ["actions"] = new JsonArray(d.Actions.Select(a => (JsonNode)a).ToArray()),
                ["notActions"] = new JsonArray(),
                ["dataActions"] = new JsonArray(d.DataActions.Select(a => (JsonNode)a).ToArray()),
                ["notDataActions"] = new JsonArray(),
            }),
            ["createdOn"] = Published.UtcDateTime.ToString("o"),
            ["updatedOn"] = Published.UtcDateTime.ToString("o"),
            ["createdBy"] = null,
            ["updatedBy"] = null,
        },
        ["id"] = (subscription is null ? "" : $"/subscriptions/{subscription}") + $"/providers/{DefinitionType}/{d.Guid}",
        ["type"] = DefinitionType,
        ["name"] = d.Guid,
    };
}
