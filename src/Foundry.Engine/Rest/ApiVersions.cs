using Azure.Core;
using Azure.ResourceManager;

namespace Foundry.Engine.Rest;

/// <summary>
/// The api-versions Foundry speaks, chosen deliberately (the REST specs we validate against) and pinned on the
/// ArmClient so that GenericResource skips its provider lookup and never drifts to whatever a provider lists first.
/// </summary>
internal static class ApiVersions
{
    public const string CognitiveServices = "2025-06-01";
    public const string KeyVault = "2025-05-01";
    public const string Web = "2024-11-01";
    public const string Authorization = "2022-04-01";
    /// <summary>Microsoft.Authorization/policyAssignments (read only: which Azure Policy would disable keys).</summary>
    public const string PolicyAssignments = "2023-04-01";
    public const string ResourceGraph = "2024-04-01";
    public const string Resources = "2025-04-01";

    public static readonly IReadOnlyDictionary<string, string> ByResourceType = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Microsoft.CognitiveServices/accounts"] = CognitiveServices,
        ["Microsoft.CognitiveServices/accounts/deployments"] = CognitiveServices,
        ["Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts"] = CognitiveServices,
        ["Microsoft.KeyVault/vaults"] = KeyVault,
        ["Microsoft.Web/sites"] = Web,
        ["Microsoft.Authorization/roleAssignments"] = Authorization,
        // Typed resource groups (and their resource list) would otherwise use the SDK's built-in 2022-09-01.
        ["Microsoft.Resources/resourceGroups"] = Resources,
        ["Microsoft.Resources/resources"] = Resources,
        ["Microsoft.Resources/tags"] = Resources,
    };

    /// <summary>Pins every version above on the client options.</summary>
    public static void Pin(ArmClientOptions options)
    {
        foreach (var pair in ByResourceType) options.SetApiVersion(new ResourceType(pair.Key), pair.Value);
    }

    /// <summary>The pinned version of a resource type; Resources' for anything else.</summary>
    public static string For(ResourceType type) => ByResourceType.TryGetValue(type.ToString(), out var version) ? version : Resources;
}
