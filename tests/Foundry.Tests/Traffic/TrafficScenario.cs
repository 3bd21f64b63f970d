using Foundry.Tests.Support;

namespace Foundry.Tests.Traffic;

/// <summary>One pass over every API the emulator serves and a stored spec covers, with the spec's api-versions.</summary>
public static class TrafficScenario
{
    public static async Task RunAsync(EmulatorFixture emulator)
    {
        using var http = emulator.Authorized();
        var sub = emulator.Subscription;
        var group = $"/subscriptions/{sub}/resourcegroups/rg-traffic";
        await http.SendAsync(HttpMethod.Put, $"{group}?api-version=2025-04-01", "{\"location\":\"eastus\",\"tags\":{\"foundry-managed\":\"true\"}}");
        await http.SendAsync(HttpMethod.Get, $"{group}?api-version=2025-04-01");
        await http.SendAsync(HttpMethod.Get, $"/subscriptions/{sub}/resourcegroups/rg-absent?api-version=2025-04-01");

        const string cs = "api-version=2025-06-01";
        var account = $"/subscriptions/{sub}/resourceGroups/rg-traffic/providers/Microsoft.CognitiveServices/accounts/acct-traffic";
        var put = await http.SendAsync(HttpMethod.Put, $"{account}?{cs}",
            "{\"kind\":\"OpenAI\",\"sku\":{\"name\":\"S0\"},\"location\":\"eastus\",\"tags\":{\"foundry-managed\":\"true\"},\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{\"customSubDomainName\":\"acct-traffic\",\"publicNetworkAccess\":\"Enabled\"}}");
        await http.PollAsync(put.Headers.GetValues("azure-asyncoperation").Single());
        await http.SendAsync(HttpMethod.Get, $"{account}?{cs}");
        await http.SendAsync(HttpMethod.Get, $"/subscriptions/{sub}/resourceGroups/rg-traffic/providers/Microsoft.CognitiveServices/accounts?{cs}");
        await http.SendAsync(HttpMethod.Post, $"{account}/listKeys?{cs}");
        await http.SendAsync(HttpMethod.Post, $"{account}/regenerateKey?{cs}", "{\"keyName\":\"Key2\"}");
        var deployment = await http.SendAsync(HttpMethod.Put, $"{account}/deployments/gpt-4o?{cs}",
            "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":10},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\"}}}");
        if (deployment.Headers.TryGetValues("Azure-AsyncOperation", out var deploying)) await http.PollAsync(deploying.Single()); // Azure: usually done in the 201
        await http.SendAsync(HttpMethod.Get, $"{account}/deployments/gpt-4o?{cs}");
        await http.SendAsync(HttpMethod.Get, $"{account}/deployments?{cs}");
        await http.SendAsync(HttpMethod.Get, $"{account}/deployments/absent?{cs}");
        await http.SendAsync(HttpMethod.Get, $"/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/eastus/usages?{cs}");
        await http.SendAsync(HttpMethod.Get, $"/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/eastus/models?{cs}");
        await http.SendAsync(HttpMethod.Post, $"/subscriptions/{sub}/providers/Microsoft.CognitiveServices/checkDomainAvailability?{cs}", "{\"subdomainName\":\"acct-traffic\",\"type\":\"Microsoft.CognitiveServices/accounts\"}");
        await http.SendAsync(HttpMethod.Delete, $"{account}/deployments/gpt-4o?{cs}");
        await http.SendAsync(HttpMethod.Delete, $"{account}?{cs}");
        await http.SendAsync(HttpMethod.Get, $"/subscriptions/{sub}/providers/Microsoft.CognitiveServices/deletedAccounts?{cs}");
        var deleted = $"/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg-traffic/deletedAccounts/acct-traffic";
        await http.SendAsync(HttpMethod.Get, $"{deleted}?{cs}");
        await http.SendAsync(HttpMethod.Put, $"{account}?{cs}", "{\"kind\":\"OpenAI\",\"sku\":{\"name\":\"S0\"},\"location\":\"eastus\",\"properties\":{\"customSubDomainName\":\"acct-traffic\"}}");
        await http.SendAsync(HttpMethod.Delete, $"{deleted}?{cs}");

        const string authz = "api-version=2022-04-01";
        var assignment = $"{group}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}";
        var body = $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/b86a8fe4-44ce-4948-aee5-eccb2c155cd7\",\"principalId\":\"{EmulatorFixture.Operator}\",\"principalType\":\"User\"}}}}";
        await http.SendAsync(HttpMethod.Put, $"{assignment}?{authz}", body);
        await http.SendAsync(HttpMethod.Get, $"{assignment}?{authz}");
        await http.SendAsync(HttpMethod.Get, $"{group}/providers/Microsoft.Authorization/roleAssignments?{authz}&$filter={Uri.EscapeDataString("atScope()")}");

        var vault = $"{group}/providers/Microsoft.KeyVault/vaults/kv-traffic";
        await http.SendAsync(HttpMethod.Put, $"{vault}?api-version=2025-05-01",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true,\"softDeleteRetentionInDays\":7}}}}");
        await http.SendAsync(HttpMethod.Put, $"{vault}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?{authz}", body);
        var secrets = emulator.CreateSecretClient("kv-traffic", configure: o => { });
        await secrets.SetSecretAsync("AZURE-OPENAI-API-KEY", "value-1");
        await secrets.SetSecretAsync("AZURE-OPENAI-API-KEY", "value-2");
        await secrets.GetSecretAsync("AZURE-OPENAI-API-KEY");
        await foreach (var _ in secrets.GetPropertiesOfSecretVersionsAsync("AZURE-OPENAI-API-KEY")) { }
        await foreach (var _ in secrets.GetPropertiesOfSecretsAsync()) { }
        await (await secrets.StartDeleteSecretAsync("AZURE-OPENAI-API-KEY")).WaitForCompletionAsync();
        await secrets.GetDeletedSecretAsync("AZURE-OPENAI-API-KEY");
        await (await secrets.StartRecoverDeletedSecretAsync("AZURE-OPENAI-API-KEY")).WaitForCompletionAsync();
        await (await secrets.StartDeleteSecretAsync("AZURE-OPENAI-API-KEY")).WaitForCompletionAsync();
        await secrets.PurgeDeletedSecretAsync("AZURE-OPENAI-API-KEY");

        await http.SendAsync(HttpMethod.Post, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01",
            $"{{\"subscriptions\":[\"{sub}\"],\"query\":\"Resources | where tags['foundry-managed'] =~ 'true' | project id, name, type, location, resourceGroup, subscriptionId, tags\",\"options\":{{\"$top\":1000}}}}");
        await http.SendAsync(HttpMethod.Post, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", $"{{\"subscriptions\":[\"{sub}\"],\"query\":\"project id | where where\"}}");
        await http.SendAsync(HttpMethod.Delete, $"{assignment}?{authz}");
        await http.SendAsync(HttpMethod.Delete, $"{group}?api-version=2025-04-01");
    }
}
