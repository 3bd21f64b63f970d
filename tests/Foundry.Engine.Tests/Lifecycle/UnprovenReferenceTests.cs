using Foundry.Emulator.Control;
using Foundry.Engine.Apps;
using Foundry.Engine.Environments;
using static Foundry.Engine.Environments.EnvironmentCheckNames;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// Beyond rotation's guard (RotationGuardTests), every place that asks whether an app is on the current secret version
/// treats Azure's "Resolved without activeVersion" as unproven: up's confirmation, the currency judgement behind
/// up's and rotation's refresh loop, and Test-FoundryEnvironment's reference check.
/// </summary>
public sealed class UnprovenReferenceTests
{
    private const string Site = "func-contoso-dev";
    private const string KeySetting = "AZURE_OPENAI_API_KEY";
    private const string SecretName = "AZURE-OPENAI-API-KEY";

    /// <summary>
    /// The app left on the previous key by a rotation whose refreshes failed, then its status stripped of activeVersion
    /// (what Azure can answer): the secret has two versions and the app holds the older one.
    /// </summary>
    private static async Task<(EnvironmentInfo Environment, RotationRecord Rotation, string StillUsed)> AppOnTheOldKeyWithoutActiveVersionAsync(LocalCloud cloud)
    {
        await cloud.CreateAppAsync(Site);
        var up = await cloud.UpAsync("dev");
        var blocked = cloud.Host.Cloud.Faults.Add(new FaultRule
        {
            Method = "POST", PathPattern = $"{Site}/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable",
        });
        var rotation = await cloud.Rotator.RotateAsync(cloud.Policy, "dev", false, whatIf: false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        cloud.Host.Cloud.Faults.Remove(blocked.Id);
        Assert.Equal(new[] { Site }, rotation.AppsPending);
        var stillUsed = cloud.ResolvedValue(Site, KeySetting)!;
        Assert.NotEqual(cloud.SecretValue(up.Environment.KeyVaultName, SecretName), stillUsed);
        RotationGuardTests.DropActiveVersion(cloud, Site);
        return (up.Environment, rotation, stillUsed);
    }

    private static Task<IReadOnlyList<EnvironmentCheck>> InspectAsync(LocalCloud cloud) =>
        cloud.Inspector.InspectAsync(cloud.Policy, "dev", NullReporter.Instance, CancellationToken.None);

    [Fact]
    public async Task Up_refreshes_an_app_Resolved_without_an_active_version_instead_of_taking_it_as_current()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var (environment, _, stillUsed) = await AppOnTheOldKeyWithoutActiveVersionAsync(cloud);

        var up = await cloud.UpAsync("dev");

        var refresh = Assert.Single(up.Changes, c => c.Action == "Refresh");
        Assert.Contains("no active version", refresh.Reason);
        Assert.NotEqual(stillUsed, cloud.ResolvedValue(Site, KeySetting));
        Assert.Equal(cloud.SecretValue(environment.KeyVaultName, SecretName), cloud.ResolvedValue(Site, KeySetting));
    }

    [Fact]
    public async Task The_currency_judgement_calls_an_app_Resolved_without_an_active_version_behind_when_the_secret_has_other_versions()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var (environment, rotation, _) = await AppOnTheOldKeyWithoutActiveVersionAsync(cloud);
        var vault = (await cloud.Services.Vaults.GetAsync(Vaults.VaultOperations.IdOf(cloud.Subscription, environment.ResourceGroupName, environment.KeyVaultName), CancellationToken.None))!;
        var status = await cloud.Services.Apps.GetKeyVaultReferenceAsync(AppOperations.IdOf(cloud.Subscription, "rg-apps", Site), KeySetting, CancellationToken.None);
        Assert.Equal(("Resolved", null), (status!.Status, status.ActiveVersion));

        var judgement = await new KeyCurrency(cloud.Services, rotation.AccountId, vault.VaultUri, status.SecretName!).JudgeAsync(status, CancellationToken.None);

        Assert.Equal(ReferenceVerdict.Behind, judgement.Verdict);
    }

    [Fact]
    public async Task Test_fails_the_reference_check_of_an_app_Resolved_without_an_active_version_when_the_secret_has_other_versions()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await AppOnTheOldKeyWithoutActiveVersionAsync(cloud);

        var check = (await InspectAsync(cloud)).Single(c => c.Check == AppKeyVaultReference);

        Assert.Equal(CheckStatus.Failed, check.Status);
        Assert.Contains("no active version", check.Detail);
    }

    [Fact]
    public async Task Test_passes_an_app_Resolved_without_an_active_version_when_the_secret_has_a_single_version()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        await cloud.UpAsync("dev");
        RotationGuardTests.DropActiveVersion(cloud, Site);

        var checks = await InspectAsync(cloud);

        Assert.All(checks, c => Assert.True(c.Status == CheckStatus.Passed, $"{c.Check}: {c.Detail}"));
    }
}
