using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The emulator answering the requests of the real recordings in tests/Recordings with Azure's status codes and
/// response shapes (property names at the top level and under `properties`; values differ by nature).
/// </summary>
public sealed class RecordedAzureConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Cs = "api-version=2025-06-01";
    private const string Kv = "api-version=2025-05-01";
    private const string Officer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

    private string Sub => $"/subscriptions/{emulator.Subscription}";

    private async Task<(HttpClient Http, string Group)> GroupAsync(string name)
    {
        var http = emulator.Authorized();
        var group = $"{Sub}/resourceGroups/{name}";
        Assert.True((await http.SendAsync(HttpMethod.Put, $"{group}?api-version=2025-04-01", "{\"location\":\"eastus\"}")).Status is 200 or 201);
        return (http, group);
    }

    private async Task<(HttpClient Http, string Account)> AccountAsync(string group, string name)
    {
        var (http, rg) = await GroupAsync(group);
        var account = $"{rg}/providers/Microsoft.CognitiveServices/accounts/{name}";
        var put = await http.SendAsync(HttpMethod.Put, $"{account}?{Cs}", $"{{\"kind\":\"OpenAI\",\"sku\":{{\"name\":\"S0\"}},\"location\":\"eastus\",\"properties\":{{\"customSubDomainName\":\"{name}\"}}}}");
        Assert.Equal(201, put.Status);
        if (put.Headers.TryGetValues("Azure-AsyncOperation", out var poll)) Assert.Equal("Succeeded", await http.PollAsync(poll.Single()));
        return (http, account);
    }

    [Fact]
    public async Task Deployment_PUT_without_sku_is_201_Succeeded_at_once_with_Standard_capacity_1_and_no_async_header()
    {
        const string file = "cogsvc-js-recording_should_deploy_a_davinci_model_in_that_account.json";
        var azure = GroundTruth.Recorded(file, "PUT", "/deployments/").Single();
        var (http, account) = await AccountAsync("rg-rec-deploy", "rec-deploy");
        // The recorded body (properties.model only, no sku), with a model this region offers in place of text-davinci-003.
        var put = await http.SendAsync(HttpMethod.Put, $"{account}/deployments/chat?{Cs}", "{\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o-mini\",\"version\":\"2024-07-18\"}}}");
        Assert.Equal(azure.Status, put.Status);
        Assert.Equal("Standard", put.Body!["sku"]!["name"]!.GetValue<string>());
        Assert.Equal(1, put.Body["sku"]!["capacity"]!.GetValue<int>());
        Assert.Equal("Succeeded", put.Body["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.False(put.Headers.Contains("Azure-AsyncOperation"));
        Assert.Empty(GroundTruth.MissingNames(azure.Body, put.Body));
    }

    [Fact]
    public async Task Deployment_list_has_no_nextLink_and_DELETE_is_200_with_no_body_and_no_async_header()
    {
        const string file = "cogsvc-js-recording_should_list_deployments_and_delete_a_deployment.json";
        var lists = GroundTruth.Recorded(file, "GET", "/deployments");
        var delete = GroundTruth.Recorded(file, "DELETE", "/deployments/").Single();
        var (http, account) = await AccountAsync("rg-rec-list", "rec-list");
        Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, $"{account}/deployments/chat?{Cs}",
            "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":1},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o-mini\",\"version\":\"2024-07-18\"}}}")).Status);
        var list = await http.SendAsync(HttpMethod.Get, $"{account}/deployments?{Cs}");
        Assert.Equal(lists[0].Status, list.Status);
        Assert.Single(list.Body!["value"]!.AsArray());
        Assert.Null(list.Body["nextLink"]);
        Assert.Empty(GroundTruth.MissingNames(lists[0].Body, list.Body));

        var deleted = await http.SendAsync(HttpMethod.Delete, $"{account}/deployments/chat?{Cs}");
        Assert.Equal(delete.Status, deleted.Status);
        Assert.Equal("", deleted.Text);
        Assert.False(deleted.Headers.Contains("Azure-AsyncOperation") || deleted.Headers.Location is not null);
        Assert.Empty((await http.SendAsync(HttpMethod.Get, $"{account}/deployments?{Cs}")).Body!["value"]!.AsArray());
    }

    [Fact]
    public async Task Vault_PUT_is_200_RegisteringDns_with_the_uri_unslashed_then_a_read_says_Succeeded()
    {
        const string file = "kv-mgmt-java-VaultTests.canCRUDVaultWithRbac.json";
        var puts = GroundTruth.Recorded(file, "PUT", "/vaults/");
        var get = GroundTruth.Recorded(file, "GET", "/vaults/").Single();
        var (http, group) = await GroupAsync("rg-rec-vault");
        var vault = $"{group}/providers/Microsoft.KeyVault/vaults/rec-vault-dns";
        var put = await http.SendAsync(HttpMethod.Put, $"{vault}?{Kv}",
            $"{{\"location\":\"westus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true}}}}");
        Assert.Equal(puts[0].Status, put.Status);
        Assert.Equal("RegisteringDns", put.Body!["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.False(put.Body["properties"]!["vaultUri"]!.GetValue<string>().EndsWith('/'));
        Assert.Empty(GroundTruth.MissingNames(puts[0].Body, put.Body));

        var read = await http.SendAsync(HttpMethod.Get, $"{vault}?{Kv}");
        Assert.Equal(get.Status, read.Status);
        Assert.Equal("Succeeded", read.Body!["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.EndsWith("/", read.Body["properties"]!["vaultUri"]!.GetValue<string>());
        Assert.Empty(GroundTruth.MissingNames(get.Body, read.Body));
    }

    [Fact]
    public async Task Vault_delete_is_200_and_purge_is_202_with_a_Location_to_poll_then_the_deleted_vault_is_404()
    {
        const string file = "kv-mgmt-java-VaultTests.canEnableSoftDeleteAndPurge.json";
        var deletedReads = GroundTruth.Recorded(file, "GET", "/deletedVaults/");
        var purge = GroundTruth.Recorded(file, "POST", "/purge").Single();
        var poll = GroundTruth.Recorded(file, "GET", "/operationResults/").Single();
        var (http, group) = await GroupAsync("rg-rec-purge");
        var vault = $"{group}/providers/Microsoft.KeyVault/vaults/rec-vault-purge";
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, $"{vault}?{Kv}",
            $"{{\"location\":\"westus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true}}}}")).Status);
        var delete = await http.SendAsync(HttpMethod.Delete, $"{vault}?{Kv}");
        Assert.Equal((GroundTruth.Recorded(file, "DELETE", "/vaults/").Single().Status, ""), (delete.Status, delete.Text));

        var deleted = $"{Sub}/providers/Microsoft.KeyVault/locations/westus/deletedVaults/rec-vault-purge";
        var read = await http.SendAsync(HttpMethod.Get, $"{deleted}?{Kv}");
        Assert.Equal(deletedReads[0].Status, read.Status);
        Assert.Empty(GroundTruth.MissingNames(deletedReads[0].Body, read.Body));

        var purged = await http.SendAsync(HttpMethod.Post, $"{deleted}/purge?{Kv}");
        Assert.Equal((purge.Status, ""), (purged.Status, purged.Text));
        Assert.Contains("/providers/Microsoft.KeyVault/locations/westus/operationResults/", purged.Headers.Location!.ToString());
        Assert.True(purged.Headers.Contains("Retry-After"));
        var status = await http.SendAsync(HttpMethod.Get, purged.Headers.Location.ToString());
        Assert.Equal(poll.Status, status.Status);
        Assert.Equal("Succeeded", status.Body!["status"]!.GetValue<string>());
        Assert.Empty(GroundTruth.MissingNames(poll.Body, status.Body));

        var gone = await http.SendAsync(HttpMethod.Get, $"{deleted}?{Kv}");
        Assert.Equal((deletedReads[1].Status, deletedReads[1].Body!["error"]!["code"]!.GetValue<string>()), (gone.Status, gone.Body!["error"]!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_deleted_secret_is_404_SecretNotFound_until_its_deletion_completes_then_200_and_purge_is_204_with_no_body()
    {
        const string file = "kv-secrets-go-TestCRUD.json";
        var reads = GroundTruth.Recorded(file, "GET", "/deletedsecrets/");
        var purge = GroundTruth.Recorded(file, "DELETE", "/deletedsecrets/").Single();
        var (http, group) = await GroupAsync("rg-rec-secret");
        var vault = $"{group}/providers/Microsoft.KeyVault/vaults/rec-kv-secret";
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Put, $"{vault}?{Kv}",
            $"{{\"location\":\"eastus\",\"properties\":{{\"tenantId\":\"{emulator.Host.TenantId}\",\"sku\":{{\"family\":\"A\",\"name\":\"standard\"}},\"accessPolicies\":[],\"enableRbacAuthorization\":true}}}}")).Status);
        Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, $"{vault}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
            $"{{\"properties\":{{\"roleDefinitionId\":\"{Sub}/providers/Microsoft.Authorization/roleDefinitions/{Officer}\",\"principalId\":\"{EmulatorFixture.Operator}\"}}}}")).Status);
        var data = emulator.Authorized();
        data.BaseAddress = emulator.Host.VaultUri("rec-kv-secret");
        Assert.Equal(200, (await data.SendAsync(HttpMethod.Put, "secrets/crud?api-version=2025-07-01", "{\"value\":\"v\",\"contentType\":\"big secret\",\"tags\":{\"foo\":\"bar\"}}")).Status);
        emulator.Host.Cloud.Timings.Set("Microsoft.KeyVault/vaults/secrets:delete", TimeSpan.FromMilliseconds(500));
        Assert.Equal(200, (await data.SendAsync(HttpMethod.Delete, "secrets/crud?api-version=2025-07-01")).Status);

        var early = await data.SendAsync(HttpMethod.Get, "deletedsecrets/crud?api-version=2025-07-01");
        Assert.Equal((reads[0].Status, "SecretNotFound"), (early.Status, early.Body!["error"]!["code"]!.GetValue<string>()));
        await Task.Delay(600);
        var later = await data.SendAsync(HttpMethod.Get, "deletedsecrets/crud?api-version=2025-07-01");
        Assert.Equal(reads[1].Status, later.Status);
        Assert.Empty(GroundTruth.MissingNames(reads[1].Body, later.Body));

        using var request = new HttpRequestMessage(HttpMethod.Delete, "deletedsecrets/crud?api-version=2025-07-01");
        using var purged = await data.SendAsync(request);
        Assert.Equal(purge.Status, (int)purged.StatusCode);
        Assert.Empty(await purged.Content.ReadAsByteArrayAsync());
        Assert.Null(purged.Content.Headers.ContentType);
    }

    [Fact]
    public async Task Role_assignment_PUT_without_principalType_is_201_with_the_recorded_shape()
    {
        const string file = "rbac-java-RoleAssignmentTests.canCRUDRoleAssignment.json";
        var azure = GroundTruth.Recorded(file, "PUT", "/roleAssignments/").Single();
        using var http = emulator.Authorized();
        var put = await http.SendAsync(HttpMethod.Put, $"{Sub}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
            $"{{\"properties\":{{\"roleDefinitionId\":\"{Sub}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c\",\"principalId\":\"{Guid.NewGuid()}\",\"description\":\"contributor role\"}}}}");
        Assert.Equal(azure.Status, put.Status);
        Assert.Empty(GroundTruth.MissingNames(azure.Body, put.Body));
        Assert.Equal("contributor role", put.Body!["properties"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task App_settings_list_is_200_with_the_config_resource_shape()
    {
        const string file = "appservice-net-AppServiceConfigurationDictionaryTest-WebSiteResource_Test().json";
        var azure = GroundTruth.Recorded(file, "POST", "/config/appsettings/list").Single();
        var (http, group) = await GroupAsync("rg-rec-web");
        var site = $"{group}/providers/Microsoft.Web/sites/rec-func";
        Assert.True((await http.SendAsync(HttpMethod.Put, $"{site}?api-version=2024-11-01", "{\"location\":\"eastus\",\"kind\":\"functionapp\",\"properties\":{}}")).Status is 200 or 201);
        var list = await http.SendAsync(HttpMethod.Post, $"{site}/config/appsettings/list?api-version=2024-11-01");
        Assert.Equal(azure.Status, list.Status);
        Assert.Equal(("appsettings", "Microsoft.Web/sites/config"), (list.Body!["name"]!.GetValue<string>(), list.Body["type"]!.GetValue<string>()));
        Assert.Equal($"{site}/config/appsettings", list.Body["id"]!.GetValue<string>());
        // The settings themselves (properties.*) are the app's own; the envelope around them is Azure's.
        Assert.DoesNotContain(GroundTruth.MissingNames(azure.Body, list.Body), n => !n.StartsWith("properties.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Location_usages_are_200_items_of_name_currentValue_limit_unit_with_no_nextLink()
    {
        var yaml = File.ReadAllText(Path.Combine(GroundTruth.RecordingsFolder, "cogsvc-cli-test_cognitiveservices_list_usages.yaml"));
        var interaction = ((List<object>)((Dictionary<object, object>)new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml)!)["interactions"]).Cast<Dictionary<object, object>>().Single();
        var response = (Dictionary<object, object>)interaction["response"];
        var azure = System.Text.Json.Nodes.JsonNode.Parse((string)((Dictionary<object, object>)response["body"])["string"])!;
        using var http = emulator.Authorized();
        var usages = await http.SendAsync(HttpMethod.Get, $"{Sub}/providers/Microsoft.CognitiveServices/locations/westeurope/usages?{Cs}");
        Assert.Equal(int.Parse((string)((Dictionary<object, object>)response["status"])["code"], System.Globalization.CultureInfo.InvariantCulture), usages.Status);
        Assert.Null(usages.Body!["nextLink"]);
        Assert.Empty(GroundTruth.MissingNames(azure, usages.Body));
        var first = usages.Body["value"]!.AsArray()[0]!;
        Assert.NotNull(first["name"]!["value"]);
        Assert.NotNull(first["name"]!["localizedValue"]);
        Assert.Equal("Count", first["unit"]!.GetValue<string>());
        Assert.Contains(usages.Body["value"]!.AsArray(), u => u!["name"]!["value"]!.GetValue<string>().StartsWith("OpenAI.Standard.", StringComparison.Ordinal));
    }
}
