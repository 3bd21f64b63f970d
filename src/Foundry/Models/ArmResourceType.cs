namespace Foundry.Models;

/// <summary>Resource types as Resource Manager spells them (Get-AzResource shows Microsoft.KeyVault/vaults, Resource Graph microsoft.keyvault/vaults).</summary>
internal static class ArmResourceType
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["secret"] = "Microsoft.KeyVault/vaults/secrets",
        ["deletedsecret"] = "Microsoft.KeyVault/vaults/deletedsecrets",
        ["Microsoft.Resources/resourceGroups"] = "Microsoft.Resources/resourceGroups",
        ["Microsoft.CognitiveServices/accounts"] = "Microsoft.CognitiveServices/accounts",
        ["Microsoft.CognitiveServices/accounts/deployments"] = "Microsoft.CognitiveServices/accounts/deployments",
        ["Microsoft.KeyVault/vaults"] = "Microsoft.KeyVault/vaults",
        ["Microsoft.KeyVault/vaults/secrets"] = "Microsoft.KeyVault/vaults/secrets",
        ["Microsoft.Web/sites"] = "Microsoft.Web/sites",
        ["Microsoft.Web/sites/config"] = "Microsoft.Web/sites/config",
        ["Microsoft.Web/sites/slots"] = "Microsoft.Web/sites/slots",
        ["Microsoft.Authorization/roleAssignments"] = "Microsoft.Authorization/roleAssignments",
        ["Microsoft.ManagedIdentity/userAssignedIdentities"] = "Microsoft.ManagedIdentity/userAssignedIdentities",
    };

    /// <summary>The known type in ARM's casing; an unknown one as given.</summary>
    public static string Of(string type) => Known.TryGetValue(type, out var arm) ? arm : type;

    /// <summary>The type of a resource id, in the id's own casing (Resource Manager writes ids as the resource was created).</summary>
    public static string FromId(string resourceId, string fallback)
    {
        var providers = resourceId.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        if (providers < 0) return resourceId.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Length == 4 ? "Microsoft.Resources/resourceGroups" : Of(fallback);
        var parts = resourceId.Substring(providers + "/providers/".Length).Split('/');
        if (parts.Length < 3) return Of(fallback);
        var type = string.Join("/", new[] { parts[0] }.Concat(parts.Skip(1).Where((_, i) => i % 2 == 0)));
        return Known.TryGetValue(type, out var arm) ? arm : type;
    }
}
