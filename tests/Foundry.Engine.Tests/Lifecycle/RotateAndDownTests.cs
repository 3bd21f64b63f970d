using Foundry.Engine.Environments;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>Invoke-FoundryKeyRotation's and Remove-FoundryEnvironment's engine against the emulator.</summary>
public sealed class RotateAndDownTests
{
    private static Task<RotationRecord> RotateAsync(LocalCloud cloud, string environment, bool force = false) =>
        cloud.Rotator.RotateAsync(cloud.Policy, environment, force, whatIf: false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    [Fact]
    public async Task Rotation_regenerates_the_inactive_key_and_the_app_resolves_the_new_version()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        var up = await cloud.UpAsync("dev");
        var keysBefore = cloud.Keys(up.Environment.AccountId!);

        var rotation = await RotateAsync(cloud, "dev");

        Assert.Equal(("key1", "key2"), (rotation.PreviousSlot, rotation.NewSlot));
        Assert.NotEqual(rotation.PreviousSecretVersion, rotation.SecretVersion);
        Assert.Equal(new[] { "func-contoso-dev" }, rotation.AppsConfirmed);
        Assert.Empty(rotation.AppsPending);
        var keysAfter = cloud.Keys(up.Environment.AccountId!);
        Assert.Equal(keysBefore.Key1, keysAfter.Key1);
        Assert.NotEqual(keysBefore.Key2, keysAfter.Key2);
        Assert.Equal(keysAfter.Key2, cloud.SecretValue(up.Environment.KeyVaultName, "AZURE-OPENAI-API-KEY"));
        Assert.Equal(keysAfter.Key2, cloud.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY"));

        var read = await cloud.Reader.ReadAsync(cloud.Policy, "dev", CancellationToken.None);
        Assert.Equal("key2", read.ActiveKeySlot);
        Assert.Equal(rotation.SecretVersion, read.Apps.Single().ResolvedSecretVersion);

        var back = await RotateAsync(cloud, "dev");
        Assert.Equal(("key2", "key1"), (back.PreviousSlot, back.NewSlot));
    }

    [Fact]
    public async Task A_second_rotation_before_the_app_refreshed_is_refused_unless_forced()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        await cloud.UpAsync("dev");
        // The app cannot refresh: the first rotation completes but leaves it on the old version.
        var blocked = cloud.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "POST", PathPattern = "func-contoso-dev/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable",
        });
        var first = await RotateAsync(cloud, "dev");
        Assert.Equal(new[] { "func-contoso-dev" }, first.AppsPending);

        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => RotateAsync(cloud, "dev"));
        Assert.Equal(KeyRotator.KeyRotationUnsafe, refused.ErrorId);
        Assert.Equal(FailureKind.Conflict, refused.Kind);
        Assert.Contains("func-contoso-dev", refused.Message);

        cloud.Host.Cloud.Faults.Remove(blocked.Id);
        var forced = await RotateAsync(cloud, "dev", force: true);
        Assert.Equal("key2", forced.PreviousSlot);
    }

    [Fact]
    public async Task Down_removes_what_up_made_keeps_the_rest_and_verifies_and_a_re_run_is_a_no_op()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var up = await cloud.UpAsync("pr-7");

        var report = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-7", false, "run-down", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        Assert.Equal("Verified", report.Status);
        Assert.False(report.HasFailures);
        Assert.Empty(report.Remaining);
        var types = report.Deletions.Where(d => d.Status == "deleted").Select(d => d.ResourceType).ToList();
        foreach (var expected in new[]
        {
            "Microsoft.Web/sites/config", "Microsoft.Authorization/roleAssignments", "secret", "deletedsecret", "Microsoft.CognitiveServices/accounts/deployments",
            "Microsoft.CognitiveServices/accounts", "Microsoft.CognitiveServices/deletedAccounts", "Microsoft.KeyVault/vaults", "Microsoft.Resources/resourceGroups",
        })
        {
            Assert.Contains(expected, types);
        }
        var settings = cloud.AppSettings("func-contoso-pr");
        Assert.Equal(new[] { "UNRELATED_SETTING" }, settings.Keys);
        Assert.Equal(0, cloud.CountResources(r => r.Tags is not null && r.Tags.TryGetValue("foundry-env", out var env) && env == "pr-7"));

        var mark = cloud.Mark;
        var again = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-7", false, "run-down-2", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Equal("Verified", again.Status);
        Assert.DoesNotContain(again.Deletions, d => d.Status == "deleted");
        Assert.Equal(0, cloud.MutatingSince(mark));

        // The pr name is reusable at once: the account and vault were purged.
        var second = await cloud.UpAsync("pr-7");
        Assert.Equal(up.Environment.AccountName, second.Environment.AccountName);
        Assert.Equal("Resolved", second.Environment.Apps.Single().ReferenceStatus);
    }

    [Fact]
    public async Task Removing_pr_1_leaves_dev_and_staging_exactly_as_they_were()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        foreach (var app in new[] { "func-contoso-dev", "func-contoso-staging", "func-contoso-pr" }) await cloud.CreateAppAsync(app);
        foreach (var env in new[] { "dev", "staging", "pr-1" }) await cloud.UpAsync(env);
        bool Others(string id) => !id.Contains("pr-1", StringComparison.OrdinalIgnoreCase) && !id.Contains("pr1", StringComparison.OrdinalIgnoreCase) &&
                                  !id.Contains("func-contoso-pr", StringComparison.OrdinalIgnoreCase);
        var before = cloud.Snapshot(Others);

        var report = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-1", false, "run-isolation", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        Assert.Equal("Verified", report.Status);
        Assert.Equal(before, cloud.Snapshot(Others));
        Assert.Equal("Resolved", (await cloud.Reader.ReadAsync(cloud.Policy, "dev", CancellationToken.None)).Apps.Single().ReferenceStatus);
    }
}

public sealed class ForeignContentTests
{
    [Fact]
    public async Task Down_keeps_a_vault_that_holds_someone_elses_secret_and_the_group_around_it()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var up = await cloud.UpAsync("pr-31");
        var vaultUri = new Uri(up.Environment.SecretUri!.Substring(0, up.Environment.SecretUri.IndexOf("/secrets/", StringComparison.Ordinal) + 1));
        await cloud.Services.Secrets.SetAsync(vaultUri, "SOMEONE-ELSES", "their-value-123456", new Dictionary<string, string>(), CancellationToken.None);
        var warnings = new List<string>();
        var report = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-31", false, "down", LocalCloud.NoAudit, new WarningsOnly(warnings), CancellationToken.None);
        Assert.Contains(warnings, w => w.Contains("SOMEONE-ELSES", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Deletions, d => d.ResourceType is "Microsoft.KeyVault/vaults" or "Microsoft.KeyVault/deletedVaults");
        Assert.Equal(1, cloud.CountResources(r => r.Type == "Microsoft.KeyVault/vaults" && r.Name == up.Environment.KeyVaultName));
    }

    private sealed class WarningsOnly(List<string> warnings) : IEngineReporter
    {
        public void Progress(string activity, string status) { }
        public void Verbose(string message) { }
        public void Warning(string message) => warnings.Add(message);
        public void Audit(Foundry.Engine.Audit.AuditRecord record) { }
    }
}
