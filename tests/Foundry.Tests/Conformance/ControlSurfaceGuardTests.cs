using System.Text.Json.Nodes;
using Foundry.Emulator;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The control surface (/_emulator) dumps every key and changes state, so it answers only to the token from the
/// connection file; and what it is told is validated, so one bad fault rule or timing is a 400, never a broken emulator.
/// </summary>
public sealed class ControlSurfaceGuardTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task State_dump_reset_and_faults_answer_401_without_the_token_and_nothing_changes()
    {
        using var http = emulator.Authorized();
        Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-guarded?api-version=2025-04-01", "{\"location\":\"eastus\"}")).Status);
        using var anonymous = emulator.CreateHttpClient();
        using var wrongToken = emulator.CreateHttpClient();
        wrongToken.DefaultRequestHeaders.Add(EmulatorHost.ControlTokenHeader, new string('0', emulator.Host.ControlToken.Length));

        foreach (var client in new[] { anonymous, wrongToken })
        {
            var dump = await client.SendAsync(HttpMethod.Get, "/_emulator/state");
            Assert.Equal(401, dump.Status);
            Assert.DoesNotContain("rg-guarded", dump.Text);
            Assert.Equal(401, (await client.SendAsync(HttpMethod.Get, "/_emulator/requests")).Status);
            Assert.Equal(401, (await client.SendAsync(HttpMethod.Post, "/_emulator/reset")).Status);
            Assert.Equal(401, (await client.SendAsync(HttpMethod.Post, "/_emulator/faults", "{\"pathPattern\":\".*\",\"status\":503}")).Status);
            Assert.Equal(401, (await client.SendAsync(HttpMethod.Put, "/_emulator/timings", "{\"default\": 30}")).Status);
        }
        Assert.Empty(emulator.Host.Cloud.Faults.Rules);
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-guarded?api-version=2025-04-01")).Status);

        using var control = emulator.CreateControlClient();
        var state = await control.SendAsync(HttpMethod.Get, "/_emulator/state");
        Assert.Equal(200, state.Status);
        Assert.Contains("rg-guarded", state.Text);
    }

    [Theory]
    [InlineData("{\"pathPattern\":\"(unclosed\",\"status\":503}")]
    [InlineData("{\"pathPattern\":\"[z-a]\",\"status\":503}")]
    [InlineData("{\"pathPattern\":\".*\",\"status\":200}")]
    [InlineData("{\"pathPattern\":\".*\",\"status\":503,\"probability\":7}")]
    [InlineData("{\"pathPattern\":\".*\",\"status\":503,\"count\":-1}")]
    [InlineData("{\"pathPattern\":\".*\",\"status\":503,\"delay\":\"10675199.02:48:05\"}")]
    public async Task A_bad_fault_rule_is_400_and_later_requests_are_served(string rule)
    {
        using var control = emulator.CreateControlClient();
        using var http = emulator.Authorized();
        var refused = await control.SendAsync(HttpMethod.Post, "/_emulator/faults", rule);
        Assert.Equal(400, refused.Status);
        Assert.Equal("InvalidRequestContent", refused.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Empty(emulator.Host.Cloud.Faults.Rules);
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/resourcegroups?api-version=2025-04-01")).Status);
    }

    [Theory]
    [InlineData("{\"default\": 1e300}")]
    [InlineData("{\"default\": 1e12}")]
    [InlineData("{\"default\": 5e11}")]
    [InlineData("{\"Microsoft.Resources/resourceGroups:delete\": -1}")]
    [InlineData("{\"Microsoft.Resources/resourceGroups:delete\": \"soon\"}")]
    [InlineData("{\"Microsoft.Resources/resourceGroups:delete\": 0, \"default\": 1e12}")]
    public async Task A_huge_negative_or_non_numeric_timing_is_400_and_operations_still_start(string timings)
    {
        using var control = emulator.CreateControlClient();
        using var http = emulator.Authorized();
        var group = $"/subscriptions/{emulator.Subscription}/resourcegroups/rg-timed-{Guid.NewGuid():n}?api-version=2025-04-01";
        Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, group, "{\"location\":\"eastus\"}")).Status);

        var refused = await control.SendAsync(HttpMethod.Put, "/_emulator/timings", timings);
        Assert.Equal(400, refused.Status);
        Assert.Equal("InvalidRequestContent", refused.Body!["error"]!["code"]!.GetValue<string>());
        Assert.Equal(TimeSpan.Zero, emulator.Host.Cloud.Timings.Default);

        // A resource group delete is a long-running operation: it starts with the (unchanged) timing and is accepted.
        var delete = await http.SendAsync(HttpMethod.Delete, group);
        Assert.Equal(202, delete.Status);
        var done = await http.SendAsync(HttpMethod.Get, delete.Headers.Location!.ToString());
        Assert.True(done.Status is 200 or 204, $"the operation's location answered {done.Status}: {done.Text}");
    }

    [Fact]
    public async Task A_customer_app_can_be_added_over_the_control_surface_once()
    {
        using var control = emulator.CreateControlClient();
        var body = new JsonObject { ["subscriptionId"] = emulator.Subscription, ["resourceGroup"] = "rg-apps-remote", ["name"] = "func-remote", ["location"] = "eastus" }.ToJsonString();
        Assert.Equal(201, (await control.SendAsync(HttpMethod.Post, "/_emulator/function-apps", body)).Status);
        Assert.Equal(200, (await control.SendAsync(HttpMethod.Post, "/_emulator/function-apps", body)).Status);
        using var http = emulator.Authorized();
        var site = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-apps-remote/providers/Microsoft.Web/sites/func-remote?api-version=2024-11-01");
        Assert.Equal(200, site.Status);
        Assert.Equal("SystemAssigned", site.Body!["identity"]!["type"]!.GetValue<string>());
    }
}
