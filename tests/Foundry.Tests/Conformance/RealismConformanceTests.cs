using System.Diagnostics;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The realistic profile's delays, seen through the official clients: RBAC propagation to Key Vault and to App
/// Service's reference resolution (403 ForbiddenByRbac, AccessToKeyVaultDenied), and Key Vault's delete and purge
/// windows (404 then 200 on the deleted secret, 409 ObjectIsBeingDeleted on the name). Resource Graph's lag is in
/// <see cref="GraphLagConformanceTests"/>.
/// </summary>
public sealed class RealismConformanceTests(RealisticEmulatorFixture emulator) : IClassFixture<RealisticEmulatorFixture>
{
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string Officer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private static readonly TimeSpan Propagation = RealisticEmulatorFixture.Profile.Local(RealisticEmulatorFixture.Profile.RoleAssignmentPropagation);

    private string Group(string name) => $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-{name}";

    private Task<string> VaultAsync(HttpClient http, string name) => emulator.CreateVaultAsync(http, name, rbacAuthorization: true);

    private async Task<string> AssignAsync(HttpClient http, string scope, string role, string principal)
    {
        var url = $"{scope}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01";
        var assigned = await http.SendAsync(HttpMethod.Put, url,
            $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}\",\"principalId\":\"{principal}\",\"principalType\":\"ServicePrincipal\"}}}}");
        Assert.Equal(201, assigned.Status);
        return url;
    }

    /// <summary>Retries until the call succeeds, for at most ten propagation delays; returns how long it took.</summary>
    private static Task<TimeSpan> UntilAsync(Func<Task> call) => Eventually.SucceedsAsync(call, Propagation * 10);

    [Fact]
    public async Task A_new_assignment_reaches_Key_Vault_after_propagation_until_then_403_Forbidden_ForbiddenByRbac()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-real-grant");
        var clock = Stopwatch.StartNew();
        await AssignAsync(http, vault, Officer, EmulatorFixture.Operator);
        var client = emulator.CreateSecretClient("kv-real-grant", configure: o => o.Retry.MaxRetries = 0);

        var denied = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("AZURE-OPENAI-API-KEY", "v1"));
        Assert.Equal(403, denied.Status);
        Assert.Equal("Forbidden", denied.ErrorCode);
        var body = System.Text.Json.Nodes.JsonNode.Parse(denied.GetRawResponse()!.Content.ToString())!;
        Assert.Equal("ForbiddenByRbac", body["error"]!["innererror"]!["code"]!.GetValue<string>());
        Assert.Contains("If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.", body["error"]!["message"]!.GetValue<string>());

        // Resource Manager shows the assignment at once; only the data plane lags.
        var listed = await http.SendAsync(HttpMethod.Get, $"{vault}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01");
        Assert.Single(listed.Body!["value"]!.AsArray());

        await UntilAsync(() => client.SetSecretAsync("AZURE-OPENAI-API-KEY", "v1"));
        Assert.True(clock.Elapsed >= Propagation * 0.9, $"access arrived after {clock.Elapsed}, before the {Propagation} propagation");
    }

    [Fact]
    public async Task A_deleted_assignment_keeps_working_on_the_data_plane_until_propagation()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-real-revoke");
        var assignment = await AssignAsync(http, vault, Officer, EmulatorFixture.Operator);
        var client = emulator.CreateSecretClient("kv-real-revoke", configure: o => o.Retry.MaxRetries = 0);
        await UntilAsync(() => client.SetSecretAsync("kept", "v1"));

        Assert.Equal(200, (await http.SendAsync(HttpMethod.Delete, assignment)).Status);
        Assert.Equal(204, (await http.SendAsync(HttpMethod.Delete, assignment)).Status);
        Assert.Equal("v1", (await client.GetSecretAsync("kept")).Value.Value);

        var clock = Stopwatch.StartNew();
        while ((await Record.ExceptionAsync(() => client.GetSecretAsync("kept"))) is null && clock.Elapsed < Propagation * 10) await Task.Delay(50);
        var denied = await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("kept"));
        Assert.Equal(403, denied.Status);
    }

    [Fact]
    public async Task An_app_reference_is_AccessToKeyVaultDenied_until_its_identity_role_propagates_then_Resolved_on_refresh()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-real-ref");
        await AssignAsync(http, vault, Officer, EmulatorFixture.Operator);
        var secrets = emulator.CreateSecretClient("kv-real-ref", configure: o => o.Retry.MaxRetries = 0);
        await UntilAsync(() => secrets.SetSecretAsync("AZURE-OPENAI-API-KEY", "key-value"));
        var site = $"{Group("kv-real-ref")}/providers/Microsoft.Web/sites/func-real-ref";
        var created = await http.SendAsync(HttpMethod.Put, $"{site}?api-version=2024-11-01", "{\"location\":\"eastus\",\"kind\":\"functionapp\",\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{}}");
        var principal = created.Body!["identity"]!["principalId"]!.GetValue<string>();
        var clock = Stopwatch.StartNew();
        await AssignAsync(http, vault, SecretsUser, principal);
        var reference = $"@Microsoft.KeyVault(SecretUri=https://kv-real-ref.vault.localhost:{emulator.Host.Port}/secrets/AZURE-OPENAI-API-KEY/)";
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, $"{site}/config/appsettings?api-version=2024-11-01", $"{{\"properties\":{{\"KEY\":\"{reference}\"}}}}")).Status);

        var refresh = $"{site}/config/configreferences/appsettings/refresh?api-version=2024-11-01";
        var first = await http.SendAsync(HttpMethod.Post, refresh);
        Assert.Equal("AccessToKeyVaultDenied", first.Body!["value"]![0]!["properties"]!["status"]!.GetValue<string>());
        string? status = null;
        while (clock.Elapsed < Propagation * 10 && (status = (await http.SendAsync(HttpMethod.Post, refresh)).Body!["value"]![0]!["properties"]!["status"]!.GetValue<string>()) != "Resolved")
        {
            await Task.Delay(50);
        }
        Assert.Equal("Resolved", status);
        Assert.True(clock.Elapsed >= Propagation * 0.9, $"resolved after {clock.Elapsed}, before the {Propagation} propagation");
    }

    [Fact]
    public async Task A_deleted_secret_is_404_under_deletedsecrets_then_200_and_its_name_is_409_ObjectIsBeingDeleted_meanwhile()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-real-delete");
        await AssignAsync(http, vault, Officer, EmulatorFixture.Operator);
        var client = emulator.CreateSecretClient("kv-real-delete", configure: o => o.Retry.MaxRetries = 0);
        await UntilAsync(() => client.SetSecretAsync("doomed", "v1"));

        var delete = await client.StartDeleteSecretAsync("doomed");
        // As the recorded Go CRUD test shows: the deleted secret is not readable yet (404), later it is (200).
        Assert.Equal(404, (await Assert.ThrowsAsync<RequestFailedException>(() => client.GetDeletedSecretAsync("doomed"))).Status);
        var busy = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("doomed", "v2"));
        Assert.Equal((409, "Conflict"), (busy.Status, busy.ErrorCode));
        Assert.Contains("\"ObjectIsBeingDeleted\"", busy.GetRawResponse()!.Content.ToString());
        Assert.Contains("Secret is currently being deleted.", busy.Message);

        await delete.WaitForCompletionAsync();
        Assert.Equal("doomed", (await client.GetDeletedSecretAsync("doomed")).Value.Name);
        var recoverable = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("doomed", "v2"));
        Assert.Contains("\"ObjectIsDeletedButRecoverable\"", recoverable.GetRawResponse()!.Content.ToString());
    }

    [Fact]
    public async Task After_a_purge_the_name_answers_409_ObjectIsBeingDeleted_for_a_while_then_is_free()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-real-purge");
        await AssignAsync(http, vault, Officer, EmulatorFixture.Operator);
        var client = emulator.CreateSecretClient("kv-real-purge", configure: o => o.Retry.MaxRetries = 0);
        await UntilAsync(() => client.SetSecretAsync("reused", "v1"));
        await (await client.StartDeleteSecretAsync("reused")).WaitForCompletionAsync();

        await client.PurgeDeletedSecretAsync("reused");
        var clock = Stopwatch.StartNew();
        var busy = await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("reused", "v2"));
        Assert.Equal(409, busy.Status);
        Assert.Contains("\"ObjectIsBeingDeleted\"", busy.GetRawResponse()!.Content.ToString());
        Assert.Equal(409, (await Assert.ThrowsAsync<RequestFailedException>(() => client.StartRecoverDeletedSecretAsync("reused"))).Status);
        Assert.Equal(409, (await Assert.ThrowsAsync<RequestFailedException>(() => client.PurgeDeletedSecretAsync("reused"))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<RequestFailedException>(() => client.GetDeletedSecretAsync("reused"))).Status);

        await UntilAsync(() => client.SetSecretAsync("reused", "v2"));
        var purge = RealisticEmulatorFixture.Profile.Local(RealisticEmulatorFixture.Profile.SecretPurge);
        Assert.True(clock.Elapsed >= purge * 0.9, $"the name was free after {clock.Elapsed}, before the {purge} purge");
        Assert.Equal("v2", (await client.GetSecretAsync("reused")).Value.Value);
    }

    [Fact]
    public async Task A_purged_vault_name_stays_taken_until_the_purge_operation_completes()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-real-vault");
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Delete, $"{vault}?api-version=2025-05-01")).Status);
        var purge = await http.SendAsync(HttpMethod.Post, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.KeyVault/locations/eastus/deletedVaults/kv-real-vault/purge?api-version=2025-05-01");
        Assert.Equal(202, purge.Status);
        var body = $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"enableRbacAuthorization\":true}}}}";
        var taken = await http.SendAsync(HttpMethod.Put, $"{vault}?api-version=2025-05-01", body);
        Assert.Equal(409, taken.Status);
        Assert.Equal("ConflictError", taken.Body!["error"]!["code"]!.GetValue<string>());

        var location = purge.Headers.Location!.ToString();
        var clock = Stopwatch.StartNew();
        while ((await http.SendAsync(HttpMethod.Get, location)).Status == 202 && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, $"{vault}?api-version=2025-05-01", body)).Status);
    }
}
