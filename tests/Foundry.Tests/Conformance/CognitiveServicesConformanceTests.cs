using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Resources;
using Azure.ResourceManager.Resources.Models;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>Cognitive Services accounts, keys, soft delete and deployments, driven by ArmClient's GenericResource and raw calls.</summary>
public sealed class CognitiveServicesConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Api = "api-version=2025-06-01";

    [Fact]
    public async Task The_models_list_carries_published_retirement_dates_as_deprecation_inference_on_the_catalogue_clock_that_the_control_surface_moves()
    {
        using var http = emulator.Authorized();
        using var control = emulator.CreateControlClient();
        var models = $"/subscriptions/{emulator.Subscription}/providers/Microsoft.CognitiveServices/locations/eastus/models?{Api}";
        try
        {
            Assert.Equal(401, (await emulator.CreateHttpClient().SendAsync(HttpMethod.Put, "/_emulator/clock", "{\"now\":\"2026-04-02T00:00:00Z\"}")).Status);
            Assert.Equal(200, (await control.SendAsync(HttpMethod.Put, "/_emulator/clock", "{\"now\":\"2026-01-01T00:00:00Z\"}")).Status);
            var before = await http.SendAsync(HttpMethod.Get, models);
            // The shape of the 2025-09-01 ListLocationModels example: deprecation { inference, deprecationStatus }, lifecycleStatus.
            var gpt4o = Model(before.Body!, "gpt-4o", "2024-08-06");
            Assert.Equal("2026-03-31T00:00:00Z", gpt4o["deprecation"]!["inference"]!.GetValue<string>());
            Assert.Equal("Deprecating", gpt4o["lifecycleStatus"]!.GetValue<string>()); // past its 2025-08-06 deprecation (no new customers)
            Assert.Equal(new DateTime(2026, 1, 1), before.Headers.Date!.Value.UtcDateTime.Date);

            Assert.Equal(200, (await control.SendAsync(HttpMethod.Put, "/_emulator/clock", "{\"now\":\"2026-04-02T00:00:00Z\"}")).Status);
            var after = await http.SendAsync(HttpMethod.Get, models);
            Assert.Equal("Deprecated", Model(after.Body!, "gpt-4o", "2024-08-06")["lifecycleStatus"]!.GetValue<string>());
            Assert.Equal("GenerallyAvailable", Model(after.Body!, "gpt-5-mini", "2025-08-07")["lifecycleStatus"]!.GetValue<string>());
        }
        finally
        {
            await control.SendAsync(HttpMethod.Delete, "/_emulator/clock");
        }

        // An OpenAI model is listed once per account kind that offers it (OpenAI and AIServices), with the same lifecycle.
        static JsonNode Model(JsonNode list, string name, string version)
        {
            var listed = list["value"]!.AsArray().Where(m => m!["model"]!["name"]!.GetValue<string>() == name && m["model"]!["version"]!.GetValue<string>() == version).ToList();
            Assert.Equal(listed[0]!["model"]!.ToJsonString(), Assert.Single(listed, m => m!["kind"]!.GetValue<string>() == "AIServices")!["model"]!.ToJsonString());
            return Assert.Single(listed, m => m!["kind"]!.GetValue<string>() == "OpenAI")!["model"]!;
        }
    }

    private async Task<(ResourceIdentifier Id, HttpClient Http)> AccountAsync(string group, string name, string? subdomain = null)
    {
        var arm = emulator.CreateArmClient(configure: o => o.SetApiVersion(new ResourceType("Microsoft.CognitiveServices/accounts"), "2025-06-01"));
        var subscription = await arm.GetDefaultSubscriptionAsync();
        await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, group, new ResourceGroupData(AzureLocation.EastUS));
        var id = new ResourceIdentifier($"/subscriptions/{emulator.Subscription}/resourceGroups/{group}/providers/Microsoft.CognitiveServices/accounts/{name}");
        var data = new GenericResourceData(AzureLocation.EastUS)
        {
            Kind = "OpenAI",
            Sku = new ResourcesSku { Name = "S0" },
            Properties = BinaryData.FromString($"{{\"customSubDomainName\":\"{subdomain ?? name}\"}}"),
        };
        var created = await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, data);
        Assert.Equal("Succeeded", JsonNode.Parse(created.Value.Data.Properties.ToString())!["provisioningState"]!.GetValue<string>());
        return (id, emulator.Authorized());
    }

    [Fact]
    public async Task Account_create_answers_201_Creating_with_azure_asyncoperation_and_the_sdk_polls_it_to_Succeeded()
    {
        using var http = emulator.Authorized();
        await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-cs-raw?api-version=2025-04-01", "{\"location\":\"eastus\"}");
        var put = await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-cs-raw/providers/Microsoft.CognitiveServices/accounts/acct-raw?{Api}",
            "{\"kind\":\"OpenAI\",\"sku\":{\"name\":\"S0\"},\"location\":\"eastus\",\"properties\":{\"customSubDomainName\":\"acct-raw\"},\"identity\":{\"type\":\"SystemAssigned\"}}");
        Assert.Equal(201, put.Status);
        Assert.Equal("Creating", put.Body!["properties"]!["provisioningState"]!.GetValue<string>());
        Assert.True(put.Headers.TryGetValues("azure-asyncoperation", out var async));
        Assert.Contains("/providers/Microsoft.CognitiveServices/locations/eastus/operationResults/", async!.Single());
        Assert.False(put.Headers.Contains("Retry-After"));
        Assert.Matches("^[0-9a-f-]{36}$", put.Body["identity"]!["principalId"]!.GetValue<string>());
        Assert.Equal("Succeeded", await http.PollAsync(async.Single()));

        // Through the SDK: GenericResource create waits on the same operation.
        var (id, _) = await AccountAsync("rg-cs-sdk", "acct-sdk");
        Assert.Contains(emulator.Host.Cloud.Log.All, r => r.PathAndQuery.Contains("/operationResults/", StringComparison.Ordinal));
        var keys = await http.SendAsync(HttpMethod.Post, $"{id}/listKeys?{Api}");
        Assert.Equal(200, keys.Status);
        Assert.Matches("^[0-9a-f]{32}$", keys.Body!["key1"]!.GetValue<string>());
        Assert.False(emulator.Host.Cloud.Log.All.Last(r => r.PathAndQuery.Contains("/listKeys")).Mutating);
    }

    [Fact]
    public async Task Re_creating_a_soft_deleted_name_fails_like_Azure_then_succeeds_after_purge_and_restore_keeps_the_keys()
    {
        var (id, http) = await AccountAsync("rg-cs-soft", "acct-soft");
        var keys = (await http.SendAsync(HttpMethod.Post, $"{id}/listKeys?{Api}")).Body!;
        var delete = await http.SendAsync(HttpMethod.Delete, $"{id}?{Api}");
        Assert.Equal(200, delete.Status);
        Assert.Equal("", delete.Text);
        var body = "{\"kind\":\"OpenAI\",\"sku\":{\"name\":\"S0\"},\"location\":\"eastus\",\"properties\":{\"customSubDomainName\":\"acct-soft\"}}";
        var again = await http.SendAsync(HttpMethod.Put, $"{id}?{Api}", body);
        Assert.Equal(409, again.Status);
        Assert.Equal("FlagMustBeSetForRestore", again.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("has been soft-deleted. To restore the resource, you must specify 'restore' to be 'true'", again.Body["error"]!["message"]!.GetValue<string>());
        var listed = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.CognitiveServices/deletedAccounts?{Api}");
        Assert.Contains(listed.Body!["value"]!.AsArray(), a => a!["name"]!.GetValue<string>() == "acct-soft");

        var restore = await http.SendAsync(HttpMethod.Put, $"{id}?{Api}", body.Replace("\"customSubDomainName\"", "\"restore\":true,\"customSubDomainName\""));
        Assert.Equal(201, restore.Status);
        Assert.Equal("Succeeded", await http.PollAsync(restore.Headers.GetValues("azure-asyncoperation").Single()));
        Assert.Equal(keys.ToJsonString(), (await http.SendAsync(HttpMethod.Post, $"{id}/listKeys?{Api}")).Body!.ToJsonString());

        await http.SendAsync(HttpMethod.Delete, $"{id}?{Api}");
        var deletedId = $"/subscriptions/{emulator.Subscription}/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg-cs-soft/deletedAccounts/acct-soft";
        var arm = emulator.CreateArmClient(configure: o => o.SetApiVersion(new ResourceType("Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts"), "2025-06-01"));
        await arm.GetGenericResource(new ResourceIdentifier(deletedId)).DeleteAsync(WaitUntil.Completed);
        Assert.Equal(404, (await http.SendAsync(HttpMethod.Get, $"{deletedId}?{Api}")).Status);
        Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, $"{id}?{Api}", body)).Status);
    }

    [Fact]
    public async Task Regenerate_changes_only_the_named_key_and_chat_accepts_only_current_keys()
    {
        var (id, http) = await AccountAsync("rg-cs-keys", "acct-keys");
        var before = (await http.SendAsync(HttpMethod.Post, $"{id}/listKeys?{Api}")).Body!;
        var deployment = await http.SendAsync(HttpMethod.Put, $"{id}/deployments/gpt-4o?{Api}",
            "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":10},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\"}}}");
        Assert.Equal(201, deployment.Status);
        Assert.Equal("Succeeded", deployment.Body!["properties"]!["provisioningState"]!.GetValue<string>()); // done in its 201, as Azure answers

        var after = (await http.SendAsync(HttpMethod.Post, $"{id}/regenerateKey?{Api}", "{\"keyName\":\"Key2\"}")).Body!;
        Assert.Equal(before["key1"]!.GetValue<string>(), after["key1"]!.GetValue<string>());
        Assert.NotEqual(before["key2"]!.GetValue<string>(), after["key2"]!.GetValue<string>());
        Assert.Equal(400, (await http.SendAsync(HttpMethod.Post, $"{id}/regenerateKey?{Api}", "{\"keyName\":\"Key3\"}")).Status);

        using var chat = emulator.CreateHttpClient();
        async Task<RawArm.Reply> Chat(string key, string deploymentName = "gpt-4o") => await chat.SendAsync(HttpMethod.Post,
            $"https://acct-keys.openai.localhost:{emulator.Host.Port}/openai/deployments/{deploymentName}/chat/completions?api-version=2024-10-21",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", r => r.Headers.Add("api-key", key));
        var ok = await Chat(after["key1"]!.GetValue<string>());
        Assert.Equal(200, ok.Status);
        Assert.Equal("chat.completion", ok.Body!["object"]!.GetValue<string>());
        Assert.Equal("stop", ok.Body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(200, (await Chat(after["key2"]!.GetValue<string>())).Status);
        var stale = await Chat(before["key2"]!.GetValue<string>());
        Assert.Equal(401, stale.Status);
        Assert.Equal("{\"error\":{\"code\":\"401\",\"message\":\"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.\"}}", stale.Text);
        var missing = await Chat(after["key1"]!.GetValue<string>(), "nope");
        Assert.Equal(404, missing.Status);
        Assert.Equal("DeploymentNotFound", missing.Body!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deployments_conflict_while_another_operation_runs_and_respect_region_and_quota()
    {
        var (id, http) = await AccountAsync("rg-cs-deploy", "acct-deploy");
        emulator.Host.Cloud.Timings.Set("Microsoft.CognitiveServices/accounts/deployments:create", TimeSpan.FromSeconds(30));
        try
        {
            var body = "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":10},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\"}}}";
            Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, $"{id}/deployments/one?{Api}", body)).Status);
            var overlapping = await http.SendAsync(HttpMethod.Put, $"{id}/deployments/two?{Api}", body);
            Assert.Equal(409, overlapping.Status);
            Assert.Equal("RequestConflict", overlapping.Body!["error"]!["code"]!.GetValue<string>());
        }
        finally
        {
            emulator.Host.Cloud.Timings.Clear();
        }
        lock (emulator.Host.Cloud.Sync)
        {
            foreach (var operation in emulator.Host.Cloud.State.Operations.Values) operation.CompletesAt = DateTimeOffset.UtcNow;
        }

        var region = await http.SendAsync(HttpMethod.Put, $"{id}/deployments/four-one?{Api}",
            "{\"sku\":{\"name\":\"Standard\",\"capacity\":1},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o-mini\",\"version\":\"2024-07-18\"}}}".Replace("gpt-4o-mini", "gpt-4.1").Replace("2024-07-18", "2025-04-14"));
        Assert.Equal(400, region.Status);
        Assert.Contains("is not supported in this region 'eastus'", region.Body!["error"]!["message"]!.GetValue<string>());

        var usages = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.CognitiveServices/locations/eastus/usages?{Api}");
        var usage = usages.Body!["value"]!.AsArray().Single(u => u!["name"]!["value"]!.GetValue<string>() == "OpenAI.GlobalStandard.gpt-4o")!;
        var used = usage["currentValue"]!.GetValue<int>();
        Assert.True(used >= 10, "the deployment made above counts against the quota");
        Assert.Equal(1000, usage["limit"]!.GetValue<int>());
        var quota = await http.SendAsync(HttpMethod.Put, $"{id}/deployments/big?{Api}",
            "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":995},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\"}}}");
        Assert.Equal(400, quota.Status);
        Assert.Equal("InsufficientQuota", quota.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Contains($"This operation require 995 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than the current available capacity {1000 - used}. " +
                        $"The current quota usage is {used} and the quota limit is 1000", quota.Body["error"]!["message"]!.GetValue<string>());

        var missing = await http.SendAsync(HttpMethod.Get, $"{id}/deployments/absent?{Api}");
        Assert.Equal(404, missing.Status);
        Assert.Equal($"Specified resource '{id}/deployments/absent' cannot be found.", missing.Body!["error"]!["message"]!.GetValue<string>());
        Assert.Equal(400, (await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-cs-deploy/providers/Microsoft.CognitiveServices/accounts/-bad?{Api}", "{}")).Status);
    }

    [Fact]
    public async Task Models_list_names_each_skus_usage_and_format_and_a_deployment_must_use_the_models_format()
    {
        var (id, http) = await AccountAsync("rg-cs-format", "acct-format");
        using (http)
        {
            // As the models-list example (ListLocationModels.json): usageName per SKU, provisioned SKUs on a shared pool,
            // Foundry models under kind AIServices only with their publisher's format.
            var models = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.CognitiveServices/locations/eastus/models?{Api}");
            var items = models.Body!["value"]!.AsArray().Select(m => m!).ToList();
            JsonNode Sku(string kind, string model, string sku) => items.Where(m => m["kind"]!.GetValue<string>() == kind && m["model"]!["name"]!.GetValue<string>() == model)
                .SelectMany(m => m["model"]!["skus"]!.AsArray()).First(s => s!["name"]!.GetValue<string>() == sku)!;
            Assert.Equal("OpenAI.Standard.GPT4o", Sku("OpenAI", "gpt-4o", "Standard")["usageName"]!.GetValue<string>());
            Assert.Equal("OpenAI.GlobalProvisionedManaged", Sku("OpenAI", "gpt-4.1", "GlobalProvisionedManaged")["usageName"]!.GetValue<string>());
            Assert.Equal("AIServices.GlobalStandard.MaaS", Sku("AIServices", "Llama-3.2-90B-Vision-Instruct", "GlobalStandard")["usageName"]!.GetValue<string>());
            Assert.Equal("Mistral AI", items.First(m => m["model"]!["name"]!.GetValue<string>() == "Mistral-Large-3")["model"]!["format"]!.GetValue<string>());
            Assert.DoesNotContain(items, m => m["kind"]!.GetValue<string>() == "OpenAI" && m["model"]!["format"]!.GetValue<string>() != "OpenAI");

            // An OpenAI account cannot deploy a Foundry model, and no account deploys a model under another format.
            var foundryModel = await http.SendAsync(HttpMethod.Put, $"{id}/deployments/deepseek?{Api}",
                "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":1},\"properties\":{\"model\":{\"format\":\"DeepSeek\",\"name\":\"DeepSeek-R1\",\"version\":\"1\"}}}");
            Assert.Equal(400, foundryModel.Status);
            Assert.Equal("DeploymentModelNotSupported", foundryModel.Body!["error"]!["code"]!.GetValue<string>());
            var wrongFormat = await http.SendAsync(HttpMethod.Put, $"{id}/deployments/gpt?{Api}",
                "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":1},\"properties\":{\"model\":{\"format\":\"Microsoft\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\"}}}");
            Assert.Equal(400, wrongFormat.Status);
            Assert.Equal("The model 'Format:Microsoft,Name:gpt-4o,Version:2024-08-06' of account deployment is not supported.", wrongFormat.Body!["error"]!["message"]!.GetValue<string>());
        }
    }
}
