using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using ArmResource = Foundry.Emulator.State.ArmResource;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// Resource Manager's generic lists as the official ArmClient reads them: $filter on tags and resource type, $top with
/// nextLink carrying the question on, tag filters on resource groups, Azure's refusal of a filter it does not take,
/// older api-versions of the list, and paths with a doubled leading slash.
/// </summary>
public sealed class ResourceListConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private void Seed(string group, int storageAccounts, int workspaces, string environment)
    {
        lock (emulator.Host.Cloud.Sync)
        {
            var state = emulator.Host.Cloud.State;
            var groupId = $"/subscriptions/{emulator.Subscription}/resourceGroups/{group}";
            var container = new ArmResource
            {
                Id = groupId, Name = group, Type = "Microsoft.Resources/resourceGroups", SubscriptionId = emulator.Subscription, ResourceGroup = group, Location = "eastus",
                Tags = new(StringComparer.OrdinalIgnoreCase) { ["team"] = environment },
            };
            container.ProvisioningState = "Succeeded";
            state.Put(container);
            void Add(string type, string name, string? env)
            {
                var resource = new ArmResource
                {
                    Id = $"{groupId}/providers/{type}/{name}", Name = name, Type = type, SubscriptionId = emulator.Subscription, ResourceGroup = group, Location = "eastus",
                    Tags = env is null ? null : new(StringComparer.OrdinalIgnoreCase) { ["env"] = env },
                };
                resource.ProvisioningState = "Succeeded";
                state.Put(resource);
            }
            for (var i = 0; i < storageAccounts; i++) Add("Microsoft.Storage/storageAccounts", $"st{environment}{i}", i % 2 == 0 ? environment : "other");
            for (var i = 0; i < workspaces; i++) Add("Microsoft.OperationalInsights/workspaces", $"log-{environment}-{i}", null);
        }
    }

    [Fact]
    public async Task GetGenericResources_with_a_tag_filter_and_top_pages_through_only_the_matching_resources()
    {
        Seed("rg-list-tags", storageAccounts: 10, workspaces: 3, environment: "blue");
        var subscription = await emulator.CreateArmClient().GetDefaultSubscriptionAsync();

        var pages = new List<int>();
        var names = new List<string>();
        await foreach (var page in subscription.GetGenericResourcesAsync(filter: "tagName eq 'env' and tagValue eq 'blue'", top: 2).AsPages())
        {
            pages.Add(page.Values.Count);
            names.AddRange(page.Values.Select(r => r.Data.Name));
        }
        Assert.Equal(new[] { "stblue0", "stblue2", "stblue4", "stblue6", "stblue8" }, names.Order());
        Assert.Equal(new[] { 2, 2, 1 }, pages);

        var tagged = await subscription.GetGenericResourcesAsync(filter: "tagName eq 'env'").ToListAsync();
        Assert.Equal(10, tagged.Count(r => r.Data.Name.StartsWith("stblue", StringComparison.Ordinal)));
        Assert.All(tagged, r => Assert.True(r.Data.Tags.ContainsKey("env")));
    }

    [Fact]
    public async Task A_resource_type_filter_narrows_subscription_and_group_lists()
    {
        Seed("rg-list-types", storageAccounts: 2, workspaces: 3, environment: "green");
        var arm = emulator.CreateArmClient();
        var subscription = await arm.GetDefaultSubscriptionAsync();
        var workspaces = await subscription.GetGenericResourcesAsync(filter: "resourceType eq 'Microsoft.OperationalInsights/workspaces'").ToListAsync();
        Assert.Contains(workspaces, r => r.Data.Name == "log-green-0");
        Assert.All(workspaces, r => Assert.Equal("Microsoft.OperationalInsights/workspaces", r.Data.ResourceType.ToString()));

        var group = (await subscription.GetResourceGroupAsync("rg-list-types")).Value;
        var either = await group.GetGenericResourcesAsync(filter: "resourceType eq 'Microsoft.Storage/storageAccounts' or name eq 'log-green-1'").ToListAsync();
        Assert.Equal(new[] { "log-green-1", "stgreen0", "stgreen1" }, either.Select(r => r.Data.Name).Order());
    }

    [Fact]
    public async Task Azure_refuses_a_tag_filter_combined_with_another_field_and_a_filter_outside_the_grammar()
    {
        var subscription = await emulator.CreateArmClient().GetDefaultSubscriptionAsync();
        foreach (var filter in new[] { "resourceType eq 'Microsoft.Storage/storageAccounts' and tagName eq 'env'", "tagValue eq 'blue'", "identity eq 'x'", "name eq 'unterminated" })
        {
            var e = await Assert.ThrowsAsync<RequestFailedException>(() => subscription.GetGenericResourcesAsync(filter: filter).ToListAsync().AsTask());
            Assert.Equal(400, e.Status);
            Assert.Equal("InvalidFilterInQueryString", e.ErrorCode);
            Assert.Contains(filter, e.Message);
        }
    }

    [Fact]
    public async Task Resource_groups_list_by_tag_and_refuse_other_filters()
    {
        Seed("rg-list-team-a", 0, 0, "alpha");
        Seed("rg-list-team-b", 0, 0, "beta");
        var subscription = await emulator.CreateArmClient().GetDefaultSubscriptionAsync();
        var alpha = await subscription.GetResourceGroups().GetAllAsync(filter: "tagName eq 'team' and tagValue eq 'alpha'").ToListAsync();
        Assert.Equal("rg-list-team-a", Assert.Single(alpha).Data.Name);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => subscription.GetResourceGroups().GetAllAsync(filter: "name eq 'rg-list-team-a'").ToListAsync().AsTask());
        Assert.Equal("InvalidFilterInQueryString", e.ErrorCode);
    }

    [Fact]
    public async Task Older_api_versions_of_the_generic_resources_list_are_served()
    {
        Seed("rg-list-old", 1, 0, "old");
        using var http = emulator.Authorized();
        foreach (var version in new[] { "2015-11-01", "2016-09-01", "2017-05-10", "2019-05-10", "2021-01-01" })
        {
            var reply = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-list-old/resources?api-version={version}");
            Assert.Equal(200, reply.Status);
            Assert.Equal("stold0", Assert.Single(reply.Body!["value"]!.AsArray())!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_doubled_leading_slash_is_served_as_the_single_slash_path()
    {
        Seed("rg-list-slash", 1, 0, "slash");
        using var http = emulator.Authorized();
        var single = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-list-slash?api-version=2025-04-01");
        var doubled = await http.SendAsync(HttpMethod.Get,
            emulator.Host.ManagementEndpoint.ToString().TrimEnd('/') + $"//subscriptions/{emulator.Subscription}/resourceGroups/rg-list-slash?api-version=2025-04-01");
        Assert.Equal(200, single.Status);
        Assert.Equal(200, doubled.Status);
        Assert.Equal(single.Body!["id"]!.GetValue<string>(), doubled.Body!["id"]!.GetValue<string>());

        // The official client, handed a resource id, reads the resource through it.
        var arm = emulator.CreateArmClient();
        var resource = await arm.GetGenericResource(new ResourceIdentifier($"/subscriptions/{emulator.Subscription}/resourceGroups/rg-list-slash/providers/Microsoft.Storage/storageAccounts/stslash0")).GetAsync();
        Assert.Equal("stslash0", resource.Value.Data.Name);
    }
}
