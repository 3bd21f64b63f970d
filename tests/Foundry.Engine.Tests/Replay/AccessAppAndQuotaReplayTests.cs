using Foundry.Engine.Access;
using Foundry.Engine.Apps;
using Foundry.Engine.Environments;
using Foundry.Engine.Naming;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Replay;

/// <summary>Role assignment create (201), app settings list and the region's quota usages, on Azure's real answers.</summary>
public sealed class AccessAppAndQuotaReplayTests
{
    private const string Contributor = "b24988ac-6180-42a0-ab88-20f7382dd24c";

    [Fact]
    public async Task A_role_assignment_PUT_without_principalType_is_created_201_and_read_back_with_the_type_Azure_filled_in()
    {
        const string scope = "/subscriptions/00000000-0000-0000-0000-000000000000";
        const string principal = "5449c3c8-63b4-4145-9379-34f8ccd123fa";
        // The recorded Java client named the assignment with a random GUID; the engine derives its name.
        var azure = RecordedAzure.Load("rbac-java-RoleAssignmentTests.canCRUDRoleAssignment.json")
            .Renaming("4a02a430-d6a7-4ddb-a77e-a081b0d9d4c6", ResourceNames.RoleAssignmentName(scope, principal, Contributor).ToString());
        var assignments = new RoleAssignmentOperations(azure.CreateArmClient("00000000-0000-0000-0000-000000000000"));
        // The engine lists before it writes. The recording's URIs carry the sanitized (zero) subscription and its bodies
        // the real one, so the listed assignment is at another scope for the engine, as on a first run: it PUTs.
        var (assignment, created) = await assignments.EnsureAsync(scope, principal, Contributor, principalType: null, CancellationToken.None);
        Assert.True(created);
        Assert.Equal(principal, assignment.PrincipalId);
        Assert.EndsWith("/roleDefinitions/" + Contributor, assignment.RoleDefinitionId);
        Assert.Equal("/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590", assignment.Scope);
        Assert.Equal(new[] { ("GET", 200), ("PUT", 201) }, azure.Served.Select(s => (s.Method, s.Status)));
    }

    [Fact]
    public async Task App_settings_list_is_a_POST_whose_properties_are_the_settings_and_the_site_names_its_reference_identity()
    {
        var azure = RecordedAzure.Load("appservice-net-AppServiceConfigurationDictionaryTest-WebSiteResource_Test().json");
        var apps = new AppOperations(azure.CreateArmClient("db1ab6f0-4769-4b27-930e-01e2ef9c123c"));
        var site = AppOperations.IdOf("db1ab6f0-4769-4b27-930e-01e2ef9c123c", "Lwm_Rg", "FunctionApp1Lwm");
        var app = await apps.GetAsync(site, CancellationToken.None);
        Assert.Equal("SystemAssigned", app!.KeyVaultReferenceIdentity);
        var settings = await apps.ListSettingsAsync(site, CancellationToken.None);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.Contains(settings.Values, v => v.Contains("AccountKey=Sanitized", StringComparison.Ordinal));
        Assert.Equal(new[] { ("GET", 200), ("POST", 200) }, azure.Served.Select(s => (s.Method, s.Status)));
    }

    [Fact]
    public async Task The_recorded_usages_tell_an_exhausted_quota_from_a_free_one()
    {
        // azure-cli recording of westeurope's usages (gpt-35-turbo Standard at 480 of 480); the region's model list is
        // not recorded, so the REST spec's example answers it: it offers gpt-35-turbo 0301 Standard with usageName
        // "OpenAI.Standard.gpt-35-turbo" (the usage the check reads), and no text-embedding-ada-002 ("not offered").
        var models = File.ReadAllText(Path.Combine(RecordedAzure.RecordingsFolder, "..", "Specs", "specification", "cognitiveservices", "resource-manager",
            "Microsoft.CognitiveServices", "stable", "2025-09-01", "examples", "ListLocationModels.json"));
        var body = System.Text.Json.Nodes.JsonNode.Parse(models)!["responses"]!["200"]!["body"]!.ToJsonString();
        var azure = RecordedAzure.Load("cogsvc-cli-test_cognitiveservices_list_usages.yaml")
            .With("GET", "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/westeurope/models", 200, body);
        var capacity = new RegionCapacity(azure.CreateArmClient("00000000-0000-0000-0000-000000000000"));
        var exhausted = await capacity.ProblemInAsync("00000000-0000-0000-0000-000000000000", "westeurope",
            new[] { new DeploymentPolicy("chat", "gpt-35-turbo", "0301", "Standard", 10) }, CancellationToken.None);
        Assert.Contains("quota 'Tokens Per Minute (thousands) - GPT-35-Turbo' has 0 free of 480 (needs 10)", exhausted);

        azure = RecordedAzure.Load("cogsvc-cli-test_cognitiveservices_list_usages.yaml")
            .With("GET", "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.CognitiveServices/locations/westeurope/models", 200, body);
        capacity = new RegionCapacity(azure.CreateArmClient("00000000-0000-0000-0000-000000000000"));
        var free = await capacity.ProblemInAsync("00000000-0000-0000-0000-000000000000", "westeurope",
            new[] { new DeploymentPolicy("embed", "text-embedding-ada-002", "2", "Standard", 100) }, CancellationToken.None);
        Assert.DoesNotContain("quota", free);
        Assert.Contains("is not offered", free);
    }
}
