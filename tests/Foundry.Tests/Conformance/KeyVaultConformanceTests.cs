using Azure;
using Azure.Security.KeyVault.Secrets;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>Key Vault vaults and secrets, driven by the official SecretClient (challenge flow included).</summary>
public sealed class KeyVaultConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Officer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    private async Task<string> VaultAsync(string name, bool purgeProtection = false, string? grantTo = EmulatorFixture.Operator)
    {
        using var http = emulator.Authorized();
        var group = $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-{name}";
        Assert.True((await http.SendAsync(HttpMethod.Put, $"{group}?api-version=2025-04-01", "{\"location\":\"eastus\"}")).Status is 200 or 201);
        var vault = await http.SendAsync(HttpMethod.Put, $"{group}/providers/Microsoft.KeyVault/vaults/{name}?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true,\"softDeleteRetentionInDays\":7{(purgeProtection ? ",\"enablePurgeProtection\":true" : "")}}}}}");
        Assert.Equal(200, vault.Status);
        // As Azure answers a new vault: RegisteringDns, the vaultUri not yet slash-terminated (a read then says Succeeded).
        Assert.Equal($"https://{name}.vault.localhost:{emulator.Host.Port}", vault.Body!["properties"]!["vaultUri"]!.GetValue<string>());
        var id = $"{group}/providers/Microsoft.KeyVault/vaults/{name}";
        if (grantTo is not null)
        {
            var assign = await http.SendAsync(HttpMethod.Put, $"{id}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
                $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{Officer}\",\"principalId\":\"{grantTo}\"}}}}");
            Assert.Equal(201, assign.Status);
        }
        return id;
    }

    [Fact]
    public async Task The_client_answers_the_401_challenge_then_each_set_is_a_new_version()
    {
        await VaultAsync("kv-conf-versions");
        var client = emulator.CreateSecretClient("kv-conf-versions");
        var versions = new List<string>();
        for (var i = 0; i < 3; i++) versions.Add((await client.SetSecretAsync("AZURE-OPENAI-API-KEY", $"value-{i}")).Value.Properties.Version);
        Assert.Equal(3, versions.Distinct().Count());
        Assert.All(versions, v => Assert.Matches("^[0-9a-f]{32}$", v));
        Assert.Equal("value-2", (await client.GetSecretAsync("AZURE-OPENAI-API-KEY")).Value.Value);
        Assert.Equal("value-0", (await client.GetSecretAsync("AZURE-OPENAI-API-KEY", versions[0])).Value.Value);

        var first = emulator.Host.Cloud.Log.All.First(r => r.Host.StartsWith("kv-conf-versions.", StringComparison.Ordinal));
        Assert.Equal(("PUT", 401), (first.Method, first.Status));
        Assert.Null(first.RequestBody);
        Assert.Equal("anonymous", first.Principal);

        using var http = emulator.CreateHttpClient();
        var challenge = await http.SendAsync(HttpMethod.Get, $"https://kv-conf-versions.vault.localhost:{emulator.Host.Port}/secrets/x?api-version=2025-07-01");
        Assert.Equal(401, challenge.Status);
        Assert.Equal($"Bearer authorization=\"https://login.microsoftonline.com/{emulator.Host.TenantId}\", resource=\"https://vault.localhost\"", challenge.Headers.WwwAuthenticate.ToString());
        Assert.Equal("AKV10000: Request is missing a Bearer or PoP token.", challenge.Body!["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Version_lists_page_at_25_with_absolute_next_links_the_sdk_follows()
    {
        await VaultAsync("kv-conf-paging");
        var client = emulator.CreateSecretClient("kv-conf-paging");
        for (var i = 0; i < 30; i++) await client.SetSecretAsync("paged", $"v{i}");
        var listed = new List<string>();
        await foreach (var properties in client.GetPropertiesOfSecretVersionsAsync("paged")) listed.Add(properties.Version);
        Assert.Equal(30, listed.Distinct().Count());
        Assert.Equal(2, emulator.Host.Cloud.Log.All.Count(r => r.PathAndQuery.StartsWith("/secrets/paged/versions", StringComparison.Ordinal) && r.Status == 200));
    }

    [Fact]
    public async Task Delete_recover_delete_purge_and_the_deleted_name_conflicts_until_purged()
    {
        await VaultAsync("kv-conf-delete");
        var client = emulator.CreateSecretClient("kv-conf-delete");
        await client.SetSecretAsync("gone", "value");
        var delete = await client.StartDeleteSecretAsync("gone");
        await delete.WaitForCompletionAsync();
        var deleted = (await client.GetDeletedSecretAsync("gone")).Value;
        Assert.Equal(new Uri($"https://kv-conf-delete.vault.localhost:{emulator.Host.Port}/deletedsecrets/gone"), deleted.RecoveryId);
        Assert.Equal(TimeSpan.FromDays(7), deleted.ScheduledPurgeDate - deleted.DeletedOn);

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("gone", "again"));
        Assert.Equal(409, conflict.Status);
        Assert.Contains("ObjectIsDeletedButRecoverable", conflict.Message);

        var recover = await client.StartRecoverDeletedSecretAsync("gone");
        await recover.WaitForCompletionAsync();
        Assert.Equal("value", (await client.GetSecretAsync("gone")).Value.Value);

        await (await client.StartDeleteSecretAsync("gone")).WaitForCompletionAsync();
        Assert.Equal(204, (await client.PurgeDeletedSecretAsync("gone")).Status);
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("gone"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("SecretNotFound", missing.ErrorCode);
        Assert.Equal("again", (await client.SetSecretAsync("gone", "again")).Value.Value);
    }

    [Fact]
    public async Task RBAC_denies_a_principal_without_a_role_and_purge_protection_blocks_purge()
    {
        await VaultAsync("kv-conf-rbac", purgeProtection: true);
        var stranger = emulator.CreateSecretClient("kv-conf-rbac", principal: "someone-else");
        var denied = await Assert.ThrowsAsync<RequestFailedException>(() => stranger.GetSecretAsync("x"));
        Assert.Equal(403, denied.Status);
        Assert.Contains("ForbiddenByRbac", denied.Message);

        var client = emulator.CreateSecretClient("kv-conf-rbac");
        await client.SetSecretAsync("kept", "value");
        await (await client.StartDeleteSecretAsync("kept")).WaitForCompletionAsync();
        var purge = await Assert.ThrowsAsync<RequestFailedException>(() => client.PurgeDeletedSecretAsync("kept"));
        Assert.Equal(403, purge.Status);

        var invalid = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("AZURE_OPENAI_API_KEY", "v"));
        Assert.Equal(400, invalid.Status);
        using var http = emulator.Authorized();
        Assert.Equal(400, (await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-kv-conf-rbac/providers/Microsoft.KeyVault/vaults/1bad--name?api-version=2025-05-01", "{}")).Status);
    }

    [Fact]
    public async Task A_deleted_vault_keeps_its_name_until_purged()
    {
        var id = await VaultAsync("kv-conf-soft", grantTo: null);
        using var http = emulator.Authorized();
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Delete, $"{id}?api-version=2025-05-01")).Status);
        var again = await http.SendAsync(HttpMethod.Put, $"{id}?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[]}}}}");
        Assert.Equal(409, again.Status);
        var purge = await http.SendAsync(HttpMethod.Post, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-conf-soft/purge?api-version=2025-05-01");
        Assert.Equal(202, purge.Status);
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Get, purge.Headers.Location!.ToString())).Status);
        Assert.Equal(404, (await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-conf-soft?api-version=2025-05-01")).Status);
    }
}

/// <summary>A secret deletion that takes time: the SDK's delete operation polls until it completes; meanwhile the name is "being deleted".</summary>
public sealed class KeyVaultSlowDeleteConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task While_a_secret_is_being_deleted_the_name_answers_ObjectIsBeingDeleted_and_the_sdk_polls_until_done()
    {
        using var http = emulator.Authorized();
        var group = $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-kv-slow";
        await http.SendAsync(HttpMethod.Put, $"{group}?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        await http.SendAsync(HttpMethod.Put, $"{group}/providers/Microsoft.KeyVault/vaults/kv-conf-slow?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true}}}}");
        await http.SendAsync(HttpMethod.Put, $"{group}/providers/Microsoft.KeyVault/vaults/kv-conf-slow/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
            $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7\",\"principalId\":\"{EmulatorFixture.Operator}\"}}}}");
        var client = emulator.CreateSecretClient("kv-conf-slow");
        await client.SetSecretAsync("slow", "value");
        // Long enough that the conflicting write below lands inside the deletion even on a loaded machine.
        emulator.Host.Cloud.Timings.Set("Microsoft.KeyVault/vaults/secrets:delete", TimeSpan.FromSeconds(3));
        var delete = await client.StartDeleteSecretAsync("slow");
        var busy = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => client.SetSecretAsync("slow", "again"));
        Assert.Equal(409, busy.Status);
        Assert.Contains("ObjectIsBeingDeleted", busy.Message);
        await delete.WaitForCompletionAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.True(emulator.Host.Cloud.Log.All.Count(r => r.PathAndQuery.StartsWith("/deletedsecrets/slow", StringComparison.Ordinal) && r.Status == 404) >= 1, "the SDK polled through 404s");
        Assert.NotNull((await client.GetDeletedSecretAsync("slow")).Value.RecoveryId);
    }
}

/// <summary>The emulator's own HTTP control surface (/_emulator): faults, timings, state, reset.</summary>
public sealed class EmulatorControlSurfaceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Faults_and_timings_can_be_set_and_state_dumped_and_reset_over_HTTP()
    {
        using var control = emulator.CreateControlClient();
        using var http = emulator.Authorized();
        var fault = await control.SendAsync(HttpMethod.Post, "/_emulator/faults", "{\"method\":\"PUT\",\"pathPattern\":\"/resourcegroups/rg-faulted$\",\"status\":503,\"code\":\"ServiceUnavailable\",\"retryAfterSeconds\":2,\"count\":1}");
        Assert.Equal(201, fault.Status);
        var failed = await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-faulted?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        Assert.Equal(503, failed.Status);
        Assert.Equal("2", failed.Headers.GetValues("Retry-After").Single());
        Assert.Equal("ServiceUnavailable", failed.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-faulted?api-version=2025-04-01", "{\"location\":\"eastus\"}")).Status);

        Assert.Equal(204, (await control.SendAsync(HttpMethod.Put, "/_emulator/timings", "{\"Microsoft.Resources/resourceGroups:delete\": 30}")).Status);
        var delete = await http.SendAsync(HttpMethod.Delete, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-faulted?api-version=2025-04-01");
        Assert.Equal(202, delete.Status);
        Assert.Equal("30", delete.Headers.GetValues("Retry-After").Single());
        Assert.Equal(202, (await http.SendAsync(HttpMethod.Get, delete.Headers.Location!.ToString())).Status);

        var state = await control.SendAsync(HttpMethod.Get, "/_emulator/state");
        Assert.Contains("rg-faulted", state.Text);
        Assert.Equal(204, (await control.SendAsync(HttpMethod.Post, "/_emulator/reset")).Status);
        Assert.DoesNotContain("rg-faulted", (await control.SendAsync(HttpMethod.Get, "/_emulator/state")).Text);
        Assert.Equal(0, (await control.SendAsync(HttpMethod.Get, "/_emulator/stats")).Body!["resources"]!.GetValue<int>());
    }
}
