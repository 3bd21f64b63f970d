using Foundry.Emulator;
using Foundry.Emulator.Realism;
using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Realism;

/// <summary>
/// The engine against Azure's inconvenient delays (the emulator's realistic profile at 1/100 of Azure's pace, with
/// one delay stretched where a test needs it): each test here failed on the engine before it handled that delay.
/// </summary>
public sealed class RealisticCloudTests
{
    private static readonly RealismProfile Realistic = RealismProfile.Realistic(0.01);

    private static Uri VaultUri(string secretUri) => new(secretUri[..(secretUri.IndexOf("/secrets/", StringComparison.Ordinal) + 1)]);

    private static Task<LocalCloudScope> StartAsync(RealismProfile profile) => LocalCloudScope.StartAsync(new EmulatorOptions { Realism = profile });

    [Fact]
    public async Task Up_writes_the_secret_again_through_Key_Vaults_purge_window_after_the_secret_was_deleted_by_hand()
    {
        // A purge that keeps the name busy for 1.2 s: up purges the deleted secret of this ephemeral environment, then
        // writes it, and Key Vault answers 409 ObjectIsBeingDeleted until the purge is done.
        await using var scope = await StartAsync(Realistic with { SecretPurge = TimeSpan.FromSeconds(120) });
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var first = await cloud.UpAsync("pr-5");
        var vaultUri = VaultUri(first.Environment.SecretUri!);
        await (await cloud.Services.Secrets.StartDeleteAsync(vaultUri, "AZURE-OPENAI-API-KEY", CancellationToken.None))!.WaitAsync(CancellationToken.None);

        var again = await cloud.UpAsync("pr-5");

        Assert.Contains(again.Changes, c => c.Action == "Purge" && c.ResourceType == "deletedsecret");
        Assert.Contains(cloud.Host.Cloud.Log.All, r => r.Host.Contains(".vault.", StringComparison.Ordinal) && r.Method == "PUT" && r.Status == 409);
        Assert.Equal("Resolved", again.Environment.Apps.Single().ReferenceStatus);
        Assert.Equal(cloud.Keys(again.Environment.AccountId!).Key1, cloud.ResolvedValue("func-contoso-pr", "AZURE_OPENAI_API_KEY"));
    }

    [Theory]
    [InlineData(RealismProfile.FastName)]
    [InlineData(RealismProfile.RealisticName)]
    public async Task Down_reports_a_vault_it_kept_even_before_Resource_Graph_has_indexed_it(string profile)
    {
        // Resource Graph an hour behind: it has not seen anything this test makes.
        var graphAnHourLate = Realistic with { GraphIndexLagMin = TimeSpan.FromHours(1), GraphIndexLagMax = TimeSpan.FromHours(1) };
        await using var scope = await StartAsync(profile == RealismProfile.FastName ? RealismProfile.Fast : graphAnHourLate);
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var up = await cloud.UpAsync("pr-31");
        var vaultUri = VaultUri(up.Environment.SecretUri!);
        await cloud.Services.Secrets.SetAsync(vaultUri, "SOMEONE-ELSES", "their-value-123456", new Dictionary<string, string>(), CancellationToken.None);

        var report = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-31", false, "down", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        Assert.Equal("VerificationFailed", report.Status);
        var kept = Assert.Single(report.Remaining);
        Assert.EndsWith("/providers/Microsoft.KeyVault/vaults/" + up.Environment.KeyVaultName, kept.ResourceId, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Up_grants_the_apps_read_role_as_soon_as_the_vault_exists_so_it_propagates_while_the_account_is_created()
    {
        await using var scope = await StartAsync(Realistic);
        var cloud = scope.Value;
        cloud.Host.Cloud.Timings.Set("Microsoft.CognitiveServices/accounts:create", TimeSpan.FromMilliseconds(500));
        await cloud.CreateAppAsync("func-contoso-dev");
        var mark = cloud.Mark;

        var up = await cloud.UpAsync("dev");

        var log = cloud.Host.Cloud.Log.All.Skip(mark).ToList();
        var firstDeployment = log.FindIndex(r => r.Method == "PUT" && r.PathAndQuery.Contains("/deployments/", StringComparison.OrdinalIgnoreCase));
        var assignments = log.Select((r, i) => (r, i)).Where(x => x.r.Method == "PUT" && x.r.PathAndQuery.Contains("/roleAssignments/", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(firstDeployment > 0, "up created no deployment");
        Assert.Equal(2, assignments.Count);
        // Both the operator's and the app's role are asked for before the first deployment is (the account still being created).
        Assert.All(assignments, a => Assert.True(a.i < firstDeployment, $"role assignment {a.r.PathAndQuery} came after the first deployment PUT"));
        Assert.Equal("Resolved", up.Environment.Apps.Single().ReferenceStatus);
        Assert.Equal(2, up.Changes.Count(c => c.Action == "Assign"));
    }

    [Fact]
    public async Task While_the_operators_role_propagates_up_waits_on_403_ForbiddenByRbac_with_backoff_not_a_request_every_poll()
    {
        // 150 s of propagation in Azure terms (1.5 s here), against the engine's 20 ms polling interval.
        await using var scope = await StartAsync(Realistic with { RoleAssignmentPropagation = TimeSpan.FromSeconds(150) });
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");

        var up = await cloud.UpAsync("dev");

        Assert.Equal("Resolved", up.Environment.Apps.Single().ReferenceStatus);
        var forbidden = cloud.Host.Cloud.Log.All.Count(r => r.Host.Contains(".vault.", StringComparison.Ordinal) && r.Status == 403);
        Assert.InRange(forbidden, 1, 12);
    }

    [Fact]
    public async Task While_the_access_policies_it_added_propagate_up_waits_on_403_AccessDenied_with_backoff_then_converges()
    {
        // An access-policy vault, whose changes take 150 s in Azure terms (1.5 s here) to reach the data plane.
        await using var scope = await StartAsync(Realistic with { AccessPolicyPropagation = TimeSpan.FromSeconds(150) });
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        await AccessPolicyVaultTests.CreateAccessPolicyVaultAsync(cloud);

        var up = await AccessPolicyVaultTests.UpAsync(cloud, AccessPolicyVaultTests.PolicyWith(cloud, ""));

        Assert.Equal("Resolved", up.Environment.Apps.Single().ReferenceStatus);
        var denied = cloud.Host.Cloud.Log.All.Count(r => r.Host.Contains(".vault.", StringComparison.Ordinal) && r.Status == 403 &&
            r.ResponseBody?.Contains("\"AccessDenied\"", StringComparison.Ordinal) == true);
        Assert.InRange(denied, 1, 12);
    }

    [Fact]
    public async Task When_the_added_access_policy_outlasts_the_propagation_timeout_up_fails_with_PermissionDenied_naming_the_access_policies()
    {
        // 600 s in Azure terms (6 s here) against the engine's 2 s propagation timeout.
        await using var scope = await StartAsync(Realistic with { AccessPolicyPropagation = TimeSpan.FromSeconds(600) });
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        await AccessPolicyVaultTests.CreateAccessPolicyVaultAsync(cloud);

        var failed = await Assert.ThrowsAsync<FoundryEngineException>(() => AccessPolicyVaultTests.UpAsync(cloud, AccessPolicyVaultTests.PolicyWith(cloud, "")));

        Assert.Equal("PermissionDenied", failed.ErrorId);
        Assert.Equal(403, failed.Status);
        Assert.Contains("authorized by access policies", failed.Message);
        Assert.Contains("az keyvault set-policy", failed.RecommendedAction);
    }
}
