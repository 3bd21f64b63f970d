using System.Text.Json.Nodes;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>The settings up writes stay with their slot in a swap (config/slotConfigNames), merged with the app's own.</summary>
public sealed class SlotSettingsTests
{
    private static string SlotConfigPath(LocalCloud cloud, string site) =>
        $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{site}/config/slotConfigNames?api-version=2024-11-01";

    [Fact]
    public async Task Up_marks_the_key_endpoint_and_deployment_settings_as_slot_settings_keeping_the_apps_own()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        using var http = cloud.Http();
        var own = await http.PutAsync(SlotConfigPath(cloud, "func-contoso-dev"),
            LocalCloud.Json("{\"properties\":{\"appSettingNames\":[\"CUSTOMER_STICKY\"],\"connectionStringNames\":[\"Database\"]}}"));
        Assert.True(own.IsSuccessStatusCode, await own.Content.ReadAsStringAsync());

        var up = await cloud.UpAsync("dev");

        var properties = JsonNode.Parse(await http.GetStringAsync(SlotConfigPath(cloud, "func-contoso-dev")))!["properties"]!;
        var names = properties["appSettingNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(new[] { "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT", "AZURE_OPENAI_ENDPOINT", "CUSTOMER_STICKY" }, names.Order(StringComparer.Ordinal));
        Assert.Equal("Database", properties["connectionStringNames"]!.AsArray().Single()!.GetValue<string>());
        Assert.Contains(up.Changes, c => c.Target.EndsWith("/config/slotConfigNames", StringComparison.Ordinal));

        // Converged: read, not written again.
        var mark = cloud.Mark;
        var again = await cloud.UpAsync("dev");
        Assert.Empty(again.Changes);
        Assert.Equal(0, cloud.MutatingSince(mark));
    }
}
