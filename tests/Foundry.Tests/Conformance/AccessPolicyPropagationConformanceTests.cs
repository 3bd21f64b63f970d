using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// Key Vault access policies under the realistic profile, through the official SecretClient: a policy entry added with
/// accessPolicies/add shows in Resource Manager at once but reaches the data plane only after the propagation delay
/// (403 Forbidden, inner code AccessDenied, until then; 200 after), a removed permission keeps working as long, and an
/// app's Key Vault reference is AccessToKeyVaultDenied until its identity's policy has propagated.
/// </summary>
public sealed class AccessPolicyPropagationConformanceTests(RealisticEmulatorFixture emulator) : IClassFixture<RealisticEmulatorFixture>
{
    private static readonly TimeSpan Propagation = RealisticEmulatorFixture.Profile.Local(RealisticEmulatorFixture.Profile.AccessPolicyPropagation);

    private string Group(string name) => $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-{name}";

    /// <summary>An access-policy vault (enableRbacAuthorization false) with no policies yet.</summary>
    private Task<string> VaultAsync(HttpClient http, string name) => emulator.CreateVaultAsync(http, name, rbacAuthorization: false);

    private async Task ChangePolicyAsync(HttpClient http, string vault, string kind, string principal, params string[] secrets)
    {
        var permissions = string.Join(",", secrets.Select(s => $"\"{s}\""));
        var changed = await http.SendAsync(HttpMethod.Put, $"{vault}/accessPolicies/{kind}?api-version=2025-05-01",
            $"{{\"properties\":{{\"accessPolicies\":[{{\"tenantId\":\"{emulator.Host.TenantId}\",\"objectId\":\"{principal}\",\"permissions\":{{\"secrets\":[{permissions}]}}}}]}}}}");
        Assert.Equal(200, changed.Status);
    }

    private static (string Inner, string Message) Denial(RequestFailedException denied)
    {
        Assert.Equal((403, "Forbidden"), (denied.Status, denied.ErrorCode));
        var error = JsonNode.Parse(denied.GetRawResponse()!.Content.ToString())!["error"]!;
        return (error["innererror"]!["code"]!.GetValue<string>(), error["message"]!.GetValue<string>());
    }

    private static Task<TimeSpan> UntilAsync(Func<Task> call) => Eventually.SucceedsAsync(call, Propagation * 10);

    [Fact]
    public async Task An_added_access_policy_reaches_Key_Vault_after_propagation_until_then_403_AccessDenied_and_a_removed_permission_lingers_as_long()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-ap-grant");
        var client = emulator.CreateSecretClient("kv-ap-grant", configure: o => o.Retry.MaxRetries = 0);
        var (inner, message) = Denial(await Assert.ThrowsAsync<RequestFailedException>(() => client.GetSecretAsync("AZURE-OPENAI-API-KEY")));
        Assert.Equal("AccessDenied", inner);
        Assert.StartsWith("Access denied. Caller was not found on any access policy.", message);

        var clock = Stopwatch.StartNew();
        await ChangePolicyAsync(http, vault, "add", EmulatorFixture.Operator, "get", "list", "set");
        // Resource Manager shows the policy at once; only the data plane lags.
        var read = await http.SendAsync(HttpMethod.Get, $"{vault}?api-version=2025-05-01");
        Assert.Equal(EmulatorFixture.Operator, read.Body!["properties"]!["accessPolicies"]![0]!["objectId"]!.GetValue<string>());
        (inner, _) = Denial(await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("AZURE-OPENAI-API-KEY", "v1")));
        Assert.Equal("AccessDenied", inner);

        await UntilAsync(() => client.SetSecretAsync("AZURE-OPENAI-API-KEY", "v1"));
        Assert.True(clock.Elapsed >= Propagation * 0.9, $"access arrived after {clock.Elapsed}, before the {Propagation} propagation");
        Assert.Equal("v1", (await client.GetSecretAsync("AZURE-OPENAI-API-KEY")).Value.Value);

        // Taking "set" away: the data plane keeps honouring it until the change propagates, then names the permission.
        await ChangePolicyAsync(http, vault, "remove", EmulatorFixture.Operator, "set");
        await client.SetSecretAsync("AZURE-OPENAI-API-KEY", "v2");
        var revoked = Stopwatch.StartNew();
        while ((await Record.ExceptionAsync(() => client.SetSecretAsync("AZURE-OPENAI-API-KEY", "v3"))) is null && revoked.Elapsed < Propagation * 10) await Task.Delay(50);
        (inner, message) = Denial(await Assert.ThrowsAsync<RequestFailedException>(() => client.SetSecretAsync("AZURE-OPENAI-API-KEY", "v4")));
        Assert.Equal("AccessDenied", inner);
        Assert.Contains($"does not have secrets set permission on key vault 'kv-ap-grant;location=eastus'", message);
        Assert.True(revoked.Elapsed >= Propagation * 0.9, $"the removal took effect after {revoked.Elapsed}, before the {Propagation} propagation");
        Assert.Equal("v3", (await client.GetSecretAsync("AZURE-OPENAI-API-KEY")).Value.Value);
    }

    [Fact]
    public async Task An_app_reference_is_AccessToKeyVaultDenied_until_its_identity_access_policy_propagates_then_Resolved_on_refresh()
    {
        using var http = emulator.Authorized();
        var vault = await VaultAsync(http, "kv-ap-ref");
        await ChangePolicyAsync(http, vault, "add", EmulatorFixture.Operator, "get", "set");
        var secrets = emulator.CreateSecretClient("kv-ap-ref", configure: o => o.Retry.MaxRetries = 0);
        await UntilAsync(() => secrets.SetSecretAsync("AZURE-OPENAI-API-KEY", "key-value"));
        var site = $"{Group("kv-ap-ref")}/providers/Microsoft.Web/sites/func-ap-ref";
        var created = await http.SendAsync(HttpMethod.Put, $"{site}?api-version=2024-11-01", "{\"location\":\"eastus\",\"kind\":\"functionapp\",\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{}}");
        var principal = created.Body!["identity"]!["principalId"]!.GetValue<string>();
        var clock = Stopwatch.StartNew();
        await ChangePolicyAsync(http, vault, "add", principal, "get");
        var reference = $"@Microsoft.KeyVault(SecretUri=https://kv-ap-ref.vault.localhost:{emulator.Host.Port}/secrets/AZURE-OPENAI-API-KEY/)";
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
}
