using System.Text.Json.Nodes;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The pre-placement questions (REST spec examples CheckSkuAvailability, ListModelCapacities,
/// ListLocationBasedModelCapacities): which account SKU a kind may have in a region, and where a model version has
/// room per deployment SKU — the quota less what the subscription's deployments hold, as usages counts it.
/// </summary>
public sealed class CapacityQueryConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private const string Api = "api-version=2025-06-01";

    private string Provider => $"/subscriptions/{emulator.Subscription}/providers/Microsoft.CognitiveServices";

    [Fact]
    public async Task CheckSkuAvailability_answers_per_sku_in_the_examples_shape()
    {
        using var http = emulator.Authorized();
        var reply = await http.SendAsync(HttpMethod.Post, $"{Provider}/locations/eastus/checkSkuAvailability?{Api}",
            "{\"skus\":[\"S0\",\"F9\"],\"kind\":\"OpenAI\",\"type\":\"Microsoft.CognitiveServices/accounts\"}");

        Assert.Equal(200, reply.Status);
        var value = reply.Body!["value"]!.AsArray();
        Assert.Equal(("S0", true), (value[0]!["skuName"]!.GetValue<string>(), value[0]!["skuAvailable"]!.GetValue<bool>()));
        Assert.Null(value[0]!["reason"]);
        Assert.Equal(("OpenAI", "Microsoft.CognitiveServices/accounts"), (value[0]!["kind"]!.GetValue<string>(), value[0]!["type"]!.GetValue<string>()));
        Assert.False(value[1]!["skuAvailable"]!.GetValue<bool>());
        Assert.NotNull(value[1]!["message"]);
    }

    [Fact]
    public async Task ModelCapacities_list_the_free_quota_per_region_and_sku_less_what_deployments_hold()
    {
        var account = await OpenAIEntra.AccountAsync(emulator, "rg-capacity", "acct-capacity");
        using var http = emulator.Authorized();
        var model = "modelFormat=OpenAI&modelName=gpt-4o&modelVersion=2024-08-06";

        var eastus = await http.SendAsync(HttpMethod.Get, $"{Provider}/locations/eastus/modelCapacities?{Api}&{model}");
        Assert.Equal(200, eastus.Status);
        var bySku = eastus.Body!["value"]!.AsArray().ToDictionary(v => v!["name"]!.GetValue<string>(), v => v!["properties"]!["availableCapacity"]!.GetValue<int>());
        // The account's gpt-4o GlobalStandard deployment holds 10 of the region's 1000.
        Assert.Equal(new Dictionary<string, int> { ["GlobalStandard"] = 990, ["Standard"] = 1000, ["DataZoneStandard"] = 1000 }, bySku);
        var first = eastus.Body["value"]![0]!;
        Assert.Equal("Microsoft.CognitiveServices/locations/models/skuCapacities", first["type"]!.GetValue<string>());
        Assert.EndsWith("/locations/eastus/models/OpenAI.gpt-4o.2024-08-06/skuCapacities/GlobalStandard", first["id"]!.GetValue<string>());

        Assert.True((await http.SendAsync(HttpMethod.Delete, $"{account}/deployments/gpt-4o?{Api}")).Status is 200 or 204);
        var freed = await http.SendAsync(HttpMethod.Get, $"{Provider}/locations/eastus/modelCapacities?{Api}&{model}");
        Assert.Contains(freed.Body!["value"]!.AsArray(), v => v!["name"]!.GetValue<string>() == "GlobalStandard" && v["properties"]!["availableCapacity"]!.GetValue<int>() == 1000);

        // Across the subscription: only the regions that offer the version (gpt-4.1 is not offered in francecentral or japaneast).
        var everywhere = await http.SendAsync(HttpMethod.Get, $"{Provider}/modelCapacities?{Api}&modelFormat=OpenAI&modelName=gpt-4.1&modelVersion=2025-04-14");
        var regions = everywhere.Body!["value"]!.AsArray().Select(v => v!["location"]!.GetValue<string>()).ToList();
        Assert.Contains("eastus", regions);
        Assert.DoesNotContain("francecentral", regions);
        Assert.DoesNotContain("japaneast", regions);
        Assert.Equal(400, (await http.SendAsync(HttpMethod.Get, $"{Provider}/modelCapacities?{Api}&modelFormat=OpenAI")).Status);
    }
}
