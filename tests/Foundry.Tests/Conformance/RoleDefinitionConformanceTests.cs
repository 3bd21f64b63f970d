using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.ResourceManager.Resources;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The built-in role definitions Key Vault, Cognitive Services and App Service users assign, with Azure's GUIDs;
/// the recorded Java RBAC lookup by role name (sent with a doubled leading slash); role assignments through the
/// official ArmClient, and Azure's errors for a malformed or unknown roleDefinitionId.
/// </summary>
public sealed class RoleDefinitionConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    public static TheoryData<string, string> BuiltInRoles => new()
    {
        { "4633458b-17de-408a-b874-0445c86b69e6", "Key Vault Secrets User" },
        { "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "Key Vault Secrets Officer" },
        { "00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator" },
        { "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", "Cognitive Services OpenAI User" },
        { "a001fd3d-188f-4b5d-821b-7da978bf7442", "Cognitive Services OpenAI Contributor" },
        { "a97b65f3-24c7-4388-baec-2e87135dc908", "Cognitive Services User" },
        { "de139f84-1756-47ae-9be6-808fbbe84772", "Website Contributor" },
    };

    [Theory]
    [MemberData(nameof(BuiltInRoles))]
    public async Task A_built_in_role_definition_is_served_by_its_GUID_at_subscription_and_tenant_scope(string guid, string roleName)
    {
        using var http = emulator.Authorized();
        var atSubscription = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}?api-version=2022-04-01");
        Assert.Equal(200, atSubscription.Status);
        Assert.Equal(roleName, atSubscription.Body!["properties"]!["roleName"]!.GetValue<string>());
        Assert.Equal("BuiltInRole", atSubscription.Body["properties"]!["type"]!.GetValue<string>());
        Assert.Equal($"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}", atSubscription.Body["id"]!.GetValue<string>());
        var atTenant = await http.SendAsync(HttpMethod.Get, $"/providers/Microsoft.Authorization/roleDefinitions/{guid}?api-version=2022-04-01");
        Assert.Equal($"/providers/Microsoft.Authorization/roleDefinitions/{guid}", atTenant.Body!["id"]!.GetValue<string>());

        var byName = await http.SendAsync(HttpMethod.Get,
            $"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions?$filter={Uri.EscapeDataString($"roleName eq '{roleName}'")}&api-version=2022-04-01");
        Assert.Equal(guid, Assert.Single(byName.Body!["value"]!.AsArray())!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_recorded_Java_lookup_of_Contributor_by_name_with_a_doubled_slash_gets_the_recorded_shape()
    {
        using var http = emulator.Authorized();
        // As the recording sent it: //subscriptions/…/roleDefinitions?$filter=roleName%20eq%20%27Contributor%27&api-version=2022-04-01
        var reply = await http.SendAsync(HttpMethod.Get, emulator.Host.ManagementEndpoint.ToString().TrimEnd('/') +
            $"//subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName%20eq%20%27Contributor%27&api-version=2022-04-01");
        Assert.Equal(200, reply.Status);
        var contributor = Assert.Single(reply.Body!["value"]!.AsArray())!;
        Assert.Equal("b24988ac-6180-42a0-ab88-20f7382dd24c", contributor["name"]!.GetValue<string>());
        Assert.Equal("Microsoft.Authorization/roleDefinitions", contributor["type"]!.GetValue<string>());
        Assert.Equal(new[] { "/" }, contributor["properties"]!["assignableScopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        foreach (var field in new[] { "actions", "notActions", "dataActions", "notDataActions" })
        {
            Assert.IsType<JsonArray>(contributor["properties"]!["permissions"]![0]![field]);
        }
        var unknown = await http.SendAsync(HttpMethod.Get, $"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{Guid.NewGuid()}?api-version=2022-04-01");
        Assert.Equal(404, unknown.Status);
        Assert.Equal("RoleDefinitionDoesNotExist", unknown.Body!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Role_assignments_through_ArmClient_take_the_OpenAI_Contributor_role_and_refuse_a_malformed_roleDefinitionId()
    {
        var arm = emulator.CreateArmClient();
        var subscription = await arm.GetDefaultSubscriptionAsync();
        var group = (await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, "rg-roles", new ResourceGroupData(AzureLocation.EastUS))).Value;

        GenericResourceData Assignment(string roleDefinitionId) => new(AzureLocation.EastUS)
        {
            Properties = BinaryData.FromObjectAsJson(new { roleDefinitionId, principalId = "11111111-2222-3333-4444-555555555555", principalType = "ServicePrincipal" }),
        };
        ResourceIdentifier NewId() => new($"{group.Id}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}");
        var roleDefinitions = $"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions";

        var created = await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, NewId(), Assignment($"{roleDefinitions}/a001fd3d-188f-4b5d-821b-7da978bf7442"));
        Assert.Equal(201, created.GetRawResponse().Status);

        foreach (var (malformed, named) in new[]
        {
            ($"{roleDefinitions}/Custom Developer", "Custom Developer"),
            ($"{roleDefinitions}/072dd7ad-7dc5-fe96-411f-a4a223b5d3cf|", "072dd7ad-7dc5-fe96-411f-a4a223b5d3cf|"),
            ("Contributor", "Contributor"),
        })
        {
            var e = await Assert.ThrowsAsync<RequestFailedException>(() => arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, NewId(), Assignment(malformed)));
            Assert.Equal(400, e.Status);
            Assert.Equal("InvalidRoleDefinitionId", e.ErrorCode);
            Assert.Contains($"The role definition ID '{named}' is not valid.", e.Message);
        }
        var unknown = await Assert.ThrowsAsync<RequestFailedException>(() =>
            arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, NewId(), Assignment($"{roleDefinitions}/{Guid.NewGuid()}")));
        Assert.Equal("RoleDefinitionDoesNotExist", unknown.ErrorCode);
    }
}
