using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Azure.ResourceManager.Resources.Models;
using Foundry.Emulator.Policy;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>PUT replaces and PATCH merges, the Tags API, and Azure Policy deny/modify — driven by the official ArmClient (GenericResource, TagResource).</summary>
public sealed class WriteSemanticsAndPolicyConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Api = "api-version=2025-06-01";

    private ArmClient Arm() => emulator.CreateArmClient(configure: o => o.SetApiVersion(new ResourceType("Microsoft.CognitiveServices/accounts"), "2025-06-01"));

    private async Task<ResourceIdentifier> GroupAsync(ArmClient arm, string group)
    {
        var subscription = await arm.GetDefaultSubscriptionAsync();
        return (await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, group, new ResourceGroupData(AzureLocation.EastUS))).Value.Id;
    }

    private static GenericResourceData Account(string properties, IDictionary<string, string>? tags = null)
    {
        var data = new GenericResourceData(AzureLocation.EastUS) { Kind = "OpenAI", Sku = new ResourcesSku { Name = "S0" }, Properties = BinaryData.FromString(properties) };
        foreach (var tag in tags ?? new Dictionary<string, string>()) data.Tags[tag.Key] = tag.Value;
        return data;
    }

    private static JsonNode Properties(GenericResource resource) => JsonNode.Parse(resource.Data.Properties.ToString())!;

    [Fact]
    public async Task An_account_PUT_resets_every_omitted_optional_property_and_the_tags_while_a_PATCH_merges()
    {
        var arm = Arm();
        var group = await GroupAsync(arm, "rg-writes-account");
        var id = new ResourceIdentifier($"{group}/providers/Microsoft.CognitiveServices/accounts/acct-writes");
        var locked = """
            {"customSubDomainName":"acct-writes","publicNetworkAccess":"Disabled","disableLocalAuth":true,"restrictOutboundNetworkAccess":true,
             "networkAcls":{"defaultAction":"Deny","ipRules":[{"value":"203.0.113.0/24"}]}}
            """;
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, Account(locked, new Dictionary<string, string> { ["owner"] = "network-team" }));

        // A PATCH names only the tags: every property stays.
        var patch = new GenericResourceData(AzureLocation.EastUS);
        patch.Tags["owner"] = "network-team";
        patch.Tags["cost-center"] = "ai";
        var patched = (await arm.GetGenericResource(id).UpdateAsync(WaitUntil.Completed, patch)).Value;
        Assert.Equal("Disabled", Properties(patched)["publicNetworkAccess"]!.GetValue<string>());
        Assert.True(Properties(patched)["disableLocalAuth"]!.GetValue<bool>());
        Assert.Equal("Deny", Properties(patched)["networkAcls"]!["defaultAction"]!.GetValue<string>());
        Assert.Equal(2, patched.Data.Tags.Count);

        // A PUT with a partial body is the whole new definition: Azure puts the omitted settings back to their defaults.
        var replaced = (await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, Account("{\"customSubDomainName\":\"acct-writes\"}"))).Value;
        var properties = Properties(replaced);
        Assert.Equal("Enabled", properties["publicNetworkAccess"]!.GetValue<string>());
        Assert.Null(properties["networkAcls"]);
        Assert.Null(properties["disableLocalAuth"]);
        Assert.Null(properties["restrictOutboundNetworkAccess"]);
        Assert.Empty(replaced.Data.Tags);
        // What Azure computes survives any PUT.
        Assert.Equal("acct-writes", properties["customSubDomainName"]!.GetValue<string>());
        Assert.StartsWith("https://acct-writes.openai.localhost:", properties["endpoint"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deployment_PUT_without_raiPolicyName_goes_back_to_the_default_content_filter()
    {
        var arm = Arm();
        var group = await GroupAsync(arm, "rg-writes-deployment");
        var account = new ResourceIdentifier($"{group}/providers/Microsoft.CognitiveServices/accounts/acct-filter");
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, account, Account("{\"customSubDomainName\":\"acct-filter\"}"));
        using var http = emulator.Authorized();
        var deployment = $"{account}/deployments/chat?{Api}";
        const string Model = "\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\"}";
        var created = await http.SendAsync(HttpMethod.Put, deployment, $"{{\"sku\":{{\"name\":\"GlobalStandard\",\"capacity\":10}},\"properties\":{{{Model},\"raiPolicyName\":\"strict-filter\",\"versionUpgradeOption\":\"NoAutoUpgrade\"}}}}");
        Assert.Equal(201, created.Status);
        Assert.Equal("strict-filter", created.Body!["properties"]!["raiPolicyName"]!.GetValue<string>());
        await Task.Delay(50);

        var partial = await http.SendAsync(HttpMethod.Put, deployment, $"{{\"sku\":{{\"name\":\"GlobalStandard\",\"capacity\":20}},\"properties\":{{{Model}}}}}");
        Assert.Equal(200, partial.Status);
        Assert.Equal("Microsoft.DefaultV2", partial.Body!["properties"]!["raiPolicyName"]!.GetValue<string>());
        Assert.Equal("OnceNewDefaultVersionAvailable", partial.Body["properties"]!["versionUpgradeOption"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_Tags_API_merges_replaces_deletes_and_clears_through_the_official_TagResource()
    {
        var arm = Arm();
        var group = await GroupAsync(arm, "rg-writes-tags");
        var tags = arm.GetTagResource(TagResource.CreateResourceIdentifier(group));
        var put = await tags.CreateOrUpdateAsync(WaitUntil.Completed, new TagResourceData(new Tag { TagValues = { ["a"] = "1", ["b"] = "2" } }));
        Assert.Equal(2, put.Value.Data.TagValues.Count);

        var merged = await tags.UpdateAsync(WaitUntil.Completed, new TagResourcePatch { PatchMode = TagPatchMode.Merge, TagValues = { ["c"] = "3", ["a"] = "one" } });
        Assert.Equal(new Dictionary<string, string> { ["a"] = "one", ["b"] = "2", ["c"] = "3" }, merged.Value.Data.TagValues.OrderBy(t => t.Key).ToDictionary(t => t.Key, t => t.Value));

        var kept = await tags.UpdateAsync(WaitUntil.Completed, new TagResourcePatch { PatchMode = TagPatchMode.Delete, TagValues = { ["b"] = "not-its-value" } });
        Assert.Equal(new[] { "a", "b", "c" }, kept.Value.Data.TagValues.Keys.OrderBy(k => k));
        var deleted = await tags.UpdateAsync(WaitUntil.Completed, new TagResourcePatch { PatchMode = TagPatchMode.Delete, TagValues = { ["b"] = "2", ["c"] = "" } });
        Assert.Equal(new[] { "a" }, deleted.Value.Data.TagValues.Keys.OrderBy(k => k));

        var tooMany = new TagResourcePatch { PatchMode = TagPatchMode.Merge };
        for (var i = 0; i < 50; i++) tooMany.TagValues[$"t{i}"] = "x";
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => tags.UpdateAsync(WaitUntil.Completed, tooMany));
        Assert.Equal(400, refused.Status);
        Assert.Equal("InvalidTag", refused.ErrorCode);

        var replaced = await tags.UpdateAsync(WaitUntil.Completed, new TagResourcePatch { PatchMode = TagPatchMode.Replace, TagValues = { ["only"] = "this" } });
        Assert.Equal(new[] { "only" }, replaced.Value.Data.TagValues.Keys);
        Assert.Equal("this", (await arm.GetResourceGroupResource(group).GetAsync()).Value.Data.Tags["only"]);

        // Tags_DeleteAtScope takes every tag away and leaves the group itself alone.
        await tags.DeleteAsync(WaitUntil.Completed);
        var after = (await arm.GetResourceGroupResource(group).GetAsync()).Value.Data;
        Assert.Empty(after.Tags);
        Assert.Equal("eastus", after.Location.Name);
    }

    [Fact]
    public async Task A_deny_assignment_refuses_the_write_with_RequestDisallowedByPolicy_naming_the_assignment_in_additionalInfo()
    {
        var arm = Arm();
        var group = await GroupAsync(arm, "rg-policy-deny");
        emulator.Host.Cloud.AssignPolicy(BuiltInPolicies.Deny(group.ToString(), "deny-public-ai", "AI accounts must not allow public network access",
            "Microsoft.CognitiveServices/accounts", "properties.publicNetworkAccess", JsonValue.Create("Enabled")));
        var id = new ResourceIdentifier($"{group}/providers/Microsoft.CognitiveServices/accounts/acct-denied");

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() =>
            arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, Account("{\"customSubDomainName\":\"acct-denied\",\"publicNetworkAccess\":\"Enabled\"}")));
        Assert.Equal(403, refused.Status);
        Assert.Equal("RequestDisallowedByPolicy", refused.ErrorCode);
        var error = JsonNode.Parse(refused.GetRawResponse()!.Content.ToString())!["error"]!;
        Assert.Equal("acct-denied", error["target"]!.GetValue<string>());
        var info = error["additionalInfo"]!.AsArray().Single()!;
        Assert.Equal("PolicyViolation", info["type"]!.GetValue<string>());
        Assert.Equal($"{group}/providers/Microsoft.Authorization/policyAssignments/deny-public-ai", info["info"]!["policyAssignmentId"]!.GetValue<string>());
        Assert.Equal("deny-public-ai", info["info"]!["policyAssignmentName"]!.GetValue<string>());
        Assert.Equal("AI accounts must not allow public network access", info["info"]!["policyAssignmentDisplayName"]!.GetValue<string>());
        Assert.Null(emulator.Host.Cloud.State.Find(id.ToString()));

        // The compliant definition goes through; another group is outside the assignment's scope.
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, Account("{\"customSubDomainName\":\"acct-denied\",\"publicNetworkAccess\":\"Disabled\"}"));
        var elsewhere = await GroupAsync(arm, "rg-policy-free");
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, new ResourceIdentifier($"{elsewhere}/providers/Microsoft.CognitiveServices/accounts/acct-free"),
            Account("{\"customSubDomainName\":\"acct-free\",\"publicNetworkAccess\":\"Enabled\"}"));
    }

    [Fact]
    public async Task The_built_in_modify_assignment_forces_disableLocalAuth_and_listKeys_and_regenerateKey_then_answer_400()
    {
        var arm = Arm();
        var group = await GroupAsync(arm, "rg-policy-modify");
        using var control = emulator.CreateControlClient();
        var assignment = System.Text.Json.JsonSerializer.Serialize(BuiltInPolicies.DisableLocalAuth(group.ToString()), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        using var unauthorized = emulator.CreateHttpClient();
        Assert.Equal(401, (await unauthorized.SendAsync(HttpMethod.Post, "/_emulator/policy-assignments", assignment)).Status);
        Assert.Equal(201, (await control.SendAsync(HttpMethod.Post, "/_emulator/policy-assignments", assignment)).Status);

        var id = new ResourceIdentifier($"{group}/providers/Microsoft.CognitiveServices/accounts/acct-keyless");
        var created = (await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, Account("{\"customSubDomainName\":\"acct-keyless\",\"disableLocalAuth\":false}"))).Value;
        Assert.True(Properties(created)["disableLocalAuth"]!.GetValue<bool>());

        using var http = emulator.Authorized();
        var list = await http.SendAsync(HttpMethod.Post, $"{id}/listKeys?{Api}");
        Assert.Equal(400, list.Status);
        Assert.Equal("BadRequest", list.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal("Failed to list key. disableLocalAuth is set to be true", list.Body["error"]!["message"]!.GetValue<string>());
        var regenerate = await http.SendAsync(HttpMethod.Post, $"{id}/regenerateKey?{Api}", "{\"keyName\":\"Key1\"}");
        Assert.Equal(400, regenerate.Status);

        // A PATCH that tries to turn local auth back on is rewritten too.
        var patch = new GenericResourceData(AzureLocation.EastUS) { Properties = BinaryData.FromString("{\"disableLocalAuth\":false}") };
        var patched = (await arm.GetGenericResource(id).UpdateAsync(WaitUntil.Completed, patch)).Value;
        Assert.True(Properties(patched)["disableLocalAuth"]!.GetValue<bool>());
        Assert.Contains((await control.SendAsync(HttpMethod.Get, "/_emulator/policy-assignments")).Body!.AsArray(), a => a!["name"]!.GetValue<string>() == "disable-ai-local-auth");
    }
}
