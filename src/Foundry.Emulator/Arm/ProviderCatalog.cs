namespace Foundry.Emulator.Arm;

/// <summary>
/// The resource providers the local cloud serves: their resource types, api-versions (newest first, as Azure
/// lists them) and locations. Serves GET /subscriptions/{s}/providers/{ns}, which ArmClient's GenericResource
/// asks before it calls a resource, and decides which api-versions a route accepts.
/// </summary>
public static class ProviderCatalog
{
    public static readonly IReadOnlyList<string> Locations = new[]
    {
        "eastus", "eastus2", "westus", "westus3", "swedencentral", "francecentral", "westeurope",
        "northeurope", "uksouth", "australiaeast", "japaneast", "canadaeast",
    };

    private static readonly string[] CognitiveServicesVersions =
    {
        "2026-09-01", "2026-07-01", "2026-05-01", "2026-03-01", "2025-12-01", "2025-09-01", "2025-06-01",
        "2025-04-01-preview", "2024-10-01", "2024-06-01-preview", "2024-04-01-preview", "2023-10-01-preview",
        "2023-05-01", "2022-12-01", "2022-10-01", "2022-03-01", "2021-10-01", "2021-04-30", "2017-04-18",
    };

    private static readonly string[] ResourcesVersions =
    {
        "2025-04-01", "2024-11-01", "2024-07-01", "2024-03-01", "2023-07-01", "2022-12-01", "2022-09-01",
        "2021-04-01", "2021-01-01", "2020-10-01", "2020-08-01", "2020-06-01", "2019-10-01", "2019-08-01", "2019-07-01",
        "2019-05-10", "2019-05-01", "2019-03-01", "2018-05-01", "2018-02-01", "2017-05-10", "2016-09-01", "2016-07-01",
        "2016-02-01", "2015-11-01", "2015-01-01", "2014-04-01",
    };

    private static readonly string[] KeyVaultVersions =
    {
        "2026-05-15", "2026-02-01", "2025-05-01", "2024-11-01", "2024-04-01-preview", "2023-07-01", "2023-02-01",
        "2022-07-01", "2021-10-01", "2019-09-01",
    };

    private static readonly string[] WebVersions =
    {
        "2025-05-01", "2025-03-01", "2024-11-01", "2024-04-01", "2023-12-01", "2023-01-01", "2022-09-01",
        "2022-03-01", "2021-03-01",
    };

    private static readonly string[] AuthorizationVersions =
    {
        "2022-05-01-preview", "2022-04-01", "2020-10-01-preview", "2020-04-01-preview", "2018-09-01-preview", "2015-07-01",
    };

    // Microsoft.Authorization/policyAssignments has its own versions (https://learn.microsoft.com/rest/api/policy/policy-assignments).
    private static readonly string[] PolicyVersions = { "2025-03-01", "2025-01-01", "2024-05-01", "2024-04-01", "2023-04-01", "2022-06-01", "2021-06-01" };

    private static readonly string[] ResourceGraphVersions =
    {
        "2024-04-01", "2022-10-01", "2021-06-01-preview", "2021-03-01", "2020-04-01-preview", "2019-04-01",
    };

    private static readonly string[] ManagedIdentityVersions = { "2024-11-30", "2023-07-31-preview", "2023-01-31", "2018-11-30" };
    private static readonly string[] GenericVersions = { "2024-01-01", "2023-05-01", "2023-01-01", "2022-09-01", "2021-09-01" };

    /// <summary>Namespace → resource type (without namespace) → api-versions.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string[]>> Providers =
        new Dictionary<string, IReadOnlyDictionary<string, string[]>>(StringComparer.OrdinalIgnoreCase)
        {
            ["Microsoft.Resources"] = Types(ResourcesVersions, "resourceGroups", "subscriptions", "tenants", "providers", "tags", "operationresults", "deployments"),
            ["Microsoft.CognitiveServices"] = Types(CognitiveServicesVersions,
                "accounts", "accounts/deployments", "deletedAccounts", "locations", "locations/operationResults",
                "locations/resourceGroups/deletedAccounts", "locations/usages", "locations/models", "locations/checkSkuAvailability",
                "checkDomainAvailability", "skus", "modelCapacities", "locations/modelCapacities"),
            ["Microsoft.KeyVault"] = Types(KeyVaultVersions, "vaults", "vaults/secrets", "deletedVaults", "locations/deletedVaults", "locations/operationResults", "checkNameAvailability"),
            ["Microsoft.Web"] = Types(WebVersions, "sites", "sites/config", "serverFarms"),
            ["Microsoft.Authorization"] = Types(AuthorizationVersions, "roleAssignments", "roleDefinitions")
                .Concat(Types(PolicyVersions, "policyAssignments")).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase),
            ["Microsoft.ResourceGraph"] = Types(ResourceGraphVersions, "resources"),
            ["Microsoft.Storage"] = Types(GenericVersions, "storageAccounts", "storageAccounts/blobServices"),
            ["Microsoft.Insights"] = Types(GenericVersions, "components"),
            ["Microsoft.OperationalInsights"] = Types(GenericVersions, "workspaces"),
            ["Microsoft.ManagedIdentity"] = Types(ManagedIdentityVersions, "userAssignedIdentities"),
        };

    /// <summary>The api-versions of a full type ("Microsoft.CognitiveServices/accounts/deployments"), or null if unknown.</summary>
    public static string[]? ApiVersions(string fullType)
    {
        var slash = fullType.IndexOf('/');
        if (slash < 0) return null;
        return Providers.TryGetValue(fullType[..slash], out var types) && types.TryGetValue(fullType[(slash + 1)..], out var versions)
            ? versions
            : null;
    }

    public static bool IsKnownType(string fullType) => ApiVersions(fullType) is not null;

    private static IReadOnlyDictionary<string, string[]> Types(string[] versions, params string[] types) =>
        types.ToDictionary(t => t, _ => versions, StringComparer.OrdinalIgnoreCase);
}
