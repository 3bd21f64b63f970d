using Foundry.Emulator;
using Foundry.Emulator.Realism;

namespace Foundry.Tests.Support;

/// <summary>
/// A local cloud with the realistic profile at 1/50 of Azure's pace: role assignments reach the data planes after
/// 1.2 s. Secret deletions and purges (50 s in Azure terms: 1 s here) and Resource Graph's lag (25–50 s: 0.5–1 s)
/// are stretched within Azure's range so that the checks a test makes inside those windows never race their end on a
/// loaded machine.
/// </summary>
public sealed class RealisticEmulatorFixture : EmulatorFixture
{
    public const double TimeScale = 0.02;

    public static RealismProfile Profile => RealismProfile.Realistic(TimeScale) with
    {
        SecretDeletion = TimeSpan.FromSeconds(50),
        SecretPurge = TimeSpan.FromSeconds(50),
        GraphIndexLagMin = TimeSpan.FromSeconds(25),
        GraphIndexLagMax = TimeSpan.FromSeconds(50),
    };

    protected override EmulatorOptions Options() => new() { Realism = Profile };

    /// <summary>
    /// A resource group rg-<paramref name="name"/> holding an empty vault <paramref name="name"/>, authorized by RBAC or
    /// (with <paramref name="rbacAuthorization"/> false) by access policies, none yet; returns the vault's id.
    /// </summary>
    public async Task<string> CreateVaultAsync(HttpClient http, string name, bool rbacAuthorization)
    {
        var group = $"/subscriptions/{Subscription}/resourceGroups/rg-{name}";
        Assert.True((await http.SendAsync(HttpMethod.Put, $"{group}?api-version=2025-04-01", "{\"location\":\"eastus\"}")).Status is 200 or 201);
        var vault = $"{group}/providers/Microsoft.KeyVault/vaults/{name}";
        var created = await http.SendAsync(HttpMethod.Put, $"{vault}?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":{(rbacAuthorization ? "true" : "false")},\"softDeleteRetentionInDays\":7}}}}");
        Assert.Equal(200, created.Status);
        return vault;
    }
}
