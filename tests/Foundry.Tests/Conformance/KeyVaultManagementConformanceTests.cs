using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>Microsoft.KeyVault management answers as Azure gives them: purge protection never false, a protected deleted vault never purged, name checks.</summary>
public sealed class KeyVaultManagementConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private string Group => $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-kv-mgmt";

    private string Body(string extra = "") =>
        $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[]{extra}}}}}";

    private async Task<HttpClient> ReadyAsync()
    {
        var http = emulator.Authorized();
        Assert.True((await http.SendAsync(HttpMethod.Put, $"{Group}?api-version=2025-04-01", "{\"location\":\"eastus\"}")).Status is 200 or 201);
        return http;
    }

    [Fact]
    public async Task Creating_a_vault_with_enablePurgeProtection_false_is_refused_with_Azures_message()
    {
        using var http = await ReadyAsync();
        var refused = await http.SendAsync(HttpMethod.Put, $"{Group}/providers/Microsoft.KeyVault/vaults/kv-mgmt-false?api-version=2025-05-01", Body(",\"enablePurgeProtection\":false"));
        Assert.Equal(400, refused.Status);
        Assert.Equal("BadRequest", refused.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.",
            refused.Body["error"]!["message"]!.GetValue<string>());
        Assert.Equal(404, (await http.SendAsync(HttpMethod.Get, $"{Group}/providers/Microsoft.KeyVault/vaults/kv-mgmt-false?api-version=2025-05-01")).Status);
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, $"{Group}/providers/Microsoft.KeyVault/vaults/kv-mgmt-false?api-version=2025-05-01", Body())).Status);
    }

    [Fact]
    public async Task Purging_a_purge_protected_deleted_vault_fails_as_Azure_fails_and_the_vault_stays_recoverable()
    {
        using var http = await ReadyAsync();
        var vault = $"{Group}/providers/Microsoft.KeyVault/vaults/kv-mgmt-protected?api-version=2025-05-01";
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, vault, Body(",\"enablePurgeProtection\":true"))).Status);
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Delete, vault)).Status);
        var deleted = $"/subscriptions/{emulator.Subscription}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-mgmt-protected";
        var purge = await http.SendAsync(HttpMethod.Post, $"{deleted}/purge?api-version=2025-05-01");
        Assert.Equal(405, purge.Status);
        Assert.Equal("MethodNotAllowed", purge.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("Operation 'DeletedVaultPurge' is not allowed.", purge.Body["error"]!["message"]!.GetValue<string>());
        var still = await http.SendAsync(HttpMethod.Get, $"{deleted}?api-version=2025-05-01");
        Assert.Equal(200, still.Status);
        Assert.True(still.Body!["properties"]!["purgeProtectionEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task CheckNameAvailability_answers_available_taken_by_a_live_or_deleted_vault_and_invalid()
    {
        using var http = await ReadyAsync();
        var check = $"/subscriptions/{emulator.Subscription}/providers/Microsoft.KeyVault/checkNameAvailability?api-version=2025-05-01";
        async Task<System.Text.Json.Nodes.JsonNode> CheckAsync(string name)
        {
            var reply = await http.SendAsync(HttpMethod.Post, check, $"{{\"name\":\"{name}\",\"type\":\"Microsoft.KeyVault/vaults\"}}");
            Assert.Equal(200, reply.Status);
            return reply.Body!;
        }

        Assert.True((await CheckAsync("kv-mgmt-free")).AsObject()["nameAvailable"]!.GetValue<bool>());
        Assert.False((await CheckAsync("kv-mgmt-free")).AsObject().ContainsKey("reason"));
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, $"{Group}/providers/Microsoft.KeyVault/vaults/kv-mgmt-taken?api-version=2025-05-01", Body())).Status);
        var taken = await CheckAsync("KV-MGMT-TAKEN");
        Assert.False(taken["nameAvailable"]!.GetValue<bool>());
        Assert.Equal("AlreadyExists", taken["reason"]!.GetValue<string>());
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Delete, $"{Group}/providers/Microsoft.KeyVault/vaults/kv-mgmt-taken?api-version=2025-05-01")).Status);
        Assert.Equal("AlreadyExists", (await CheckAsync("kv-mgmt-taken"))["reason"]!.GetValue<string>());
        var invalid = await CheckAsync("1-bad--name");
        Assert.Equal("AccountNameInvalid", invalid["reason"]!.GetValue<string>());
        var wrongType = await http.SendAsync(HttpMethod.Post, check, "{\"name\":\"kv-x\",\"type\":\"Microsoft.Storage/storageAccounts\"}");
        Assert.Equal(400, wrongType.Status);
    }
}
