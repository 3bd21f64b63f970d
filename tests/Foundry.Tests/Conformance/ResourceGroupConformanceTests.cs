using System.Net;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>Resource groups and the ARM bootstrap calls, driven by the official ArmClient.</summary>
public sealed class ResourceGroupConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Create_get_and_delete_a_resource_group_with_the_sdk_polling_the_delete()
    {
        var arm = emulator.CreateArmClient();
        var subscription = await arm.GetDefaultSubscriptionAsync();
        Assert.Equal(emulator.Subscription, subscription.Data.SubscriptionId);

        var groups = subscription.GetResourceGroups();
        var created = await groups.CreateOrUpdateAsync(WaitUntil.Completed, "rg-conformance", new ResourceGroupData(AzureLocation.EastUS)
        {
            Tags = { ["foundry-managed"] = "true" },
        });
        Assert.Equal("rg-conformance", created.Value.Data.Name);
        Assert.Equal("true", created.Value.Data.Tags["foundry-managed"]);
        Assert.Equal(201, created.GetRawResponse().Status);

        var again = await groups.CreateOrUpdateAsync(WaitUntil.Completed, "rg-conformance", new ResourceGroupData(AzureLocation.EastUS));
        Assert.Equal(200, again.GetRawResponse().Status);

        var delete = await created.Value.DeleteAsync(WaitUntil.Started);
        Assert.Equal(202, delete.GetRawResponse().Status);
        Assert.True(delete.GetRawResponse().Headers.TryGetValue("Location", out var location));
        Assert.Contains("/operationresults/", location);
        await delete.WaitForCompletionResponseAsync();
        Assert.True(delete.HasCompleted);

        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => groups.GetAsync("rg-conformance"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("ResourceGroupNotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task Unknown_subscription_answers_SubscriptionNotFound()
    {
        var arm = emulator.CreateArmClient();
        var e = await Assert.ThrowsAsync<RequestFailedException>(() =>
            arm.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier("11111111-1111-1111-1111-111111111111")).GetAsync());
        Assert.Equal(404, e.Status);
        Assert.Equal("SubscriptionNotFound", e.ErrorCode);
    }

    [Fact]
    public async Task Missing_api_version_and_malformed_json_get_azure_error_shapes_not_500()
    {
        using var http = emulator.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", EmulatorFixture.Operator);

        var noVersion = await http.GetAsync($"/subscriptions/{emulator.Subscription}/resourcegroups");
        Assert.Equal(HttpStatusCode.BadRequest, noVersion.StatusCode);
        Assert.Contains("MissingApiVersionParameter", await noVersion.Content.ReadAsStringAsync());

        var badVersion = await http.GetAsync($"/subscriptions/{emulator.Subscription}/resourcegroups?api-version=1999-01-01");
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
        Assert.Contains("NoRegisteredProviderFound", await badVersion.Content.ReadAsStringAsync());

        var malformed = await http.PutAsync($"/subscriptions/{emulator.Subscription}/resourcegroups/rg-bad?api-version=2025-04-01",
            new StringContent("{\"location\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("InvalidRequestContent", await malformed.Content.ReadAsStringAsync());

        var badName = await http.PutAsync($"/subscriptions/{emulator.Subscription}/resourcegroups/rg%3Cbad%3E?api-version=2025-04-01",
            new StringContent("{\"location\":\"eastus\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);

        using var anonymous = emulator.CreateHttpClient();
        var unauthenticated = await anonymous.GetAsync($"/subscriptions/{emulator.Subscription}?api-version=2022-12-01");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.True(unauthenticated.Headers.WwwAuthenticate.Count > 0);
    }

    [Fact]
    public async Task Throttled_request_is_retried_by_the_sdk_after_retry_after()
    {
        var arm = emulator.CreateArmClient();
        var subscription = await arm.GetDefaultSubscriptionAsync();
        emulator.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "PUT", PathPattern = "/resourcegroups/rg-throttled$", Status = 429, Code = "TooManyRequests", RetryAfterSeconds = 1, Count = 2,
        });
        var started = DateTimeOffset.UtcNow;
        var created = await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, "rg-throttled", new ResourceGroupData(AzureLocation.WestUS));
        var elapsed = DateTimeOffset.UtcNow - started;
        Assert.Equal("rg-throttled", created.Value.Data.Name);
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.8), $"the SDK waited {elapsed.TotalSeconds:F1}s for two Retry-After: 1 answers");
        var puts = emulator.Host.Cloud.Log.All.Where(r => r.Method == "PUT" && r.PathAndQuery.Contains("rg-throttled")).Select(r => r.Status).ToList();
        Assert.Equal(new[] { 429, 429, 201 }, puts);
    }

    [Fact]
    public async Task Generic_resource_round_trip_through_GenericResource_asks_provider_metadata_first()
    {
        var arm = emulator.CreateArmClient();
        var subscription = await arm.GetDefaultSubscriptionAsync();
        var group = (await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, "rg-generic", new ResourceGroupData(AzureLocation.EastUS))).Value;
        var id = new ResourceIdentifier($"{group.Id}/providers/Microsoft.Storage/storageAccounts/stfoundry1");
        var data = new GenericResourceData(AzureLocation.EastUS) { Tags = { ["foundry-env"] = "dev" } };
        var created = await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, id, data);
        Assert.Equal("stfoundry1", created.Value.Data.Name);
        var fetched = await arm.GetGenericResource(id).GetAsync();
        Assert.Equal("dev", fetched.Value.Data.Tags["foundry-env"]);
        Assert.Contains(emulator.Host.Cloud.Log.All, r => r.PathAndQuery.StartsWith($"/subscriptions/{emulator.Subscription}/providers/Microsoft.Storage", StringComparison.OrdinalIgnoreCase));
        await fetched.Value.DeleteAsync(WaitUntil.Completed);
        var gone = await Assert.ThrowsAsync<RequestFailedException>(() => arm.GetGenericResource(id).GetAsync());
        Assert.Equal(404, gone.Status);
    }
}
