using Foundry.Engine.Environments;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>Find-FoundryKeyExposure's engine against the emulator: scan with the real keys, revoke inactive and active exposures.</summary>
public sealed class KeyExposureTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "foundry-exposure-" + Guid.NewGuid().ToString("n"));

    public KeyExposureTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static KeyExposureResponder Responder(LocalCloud cloud) => new(cloud.Services);

    private Task<KeyExposureReport> ScanAsync(LocalCloud cloud) =>
        Responder(cloud).ScanAsync(cloud.Policy, "dev", new[] { root }, NullReporter.Instance, CancellationToken.None);

    private Task<KeyRevocationRecord> RevokeAsync(LocalCloud cloud, KeyExposureReport report, bool force = false) =>
        Responder(cloud).RevokeAsync(cloud.Policy, "dev", report.ExposedSlots, force, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    [Fact]
    public async Task An_exposed_inactive_key_is_regenerated_at_once_and_the_active_key_and_secret_stay()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        var up = await cloud.UpAsync("dev");
        var before = cloud.Keys(up.Environment.AccountId!);     // key1 is active after up
        File.WriteAllText(Path.Combine(root, "debug.log"), $"curl -H 'api-key: {before.Key2}' ...\n");

        var report = await ScanAsync(cloud);
        Assert.Equal(new[] { "key2" }, report.ExposedSlots);
        var mark = cloud.Mark;
        var revocation = await RevokeAsync(cloud, report);

        var after = cloud.Keys(up.Environment.AccountId!);
        Assert.Equal(new[] { "key2" }, revocation.RegeneratedSlots);
        Assert.Null(revocation.Rotation);
        Assert.Equal(before.Key1, after.Key1);
        Assert.NotEqual(before.Key2, after.Key2);
        Assert.Equal(before.Key1, cloud.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY"));
        Assert.Equal(1, cloud.MutatingSince(mark));              // only the regeneration
        Assert.Empty((await ScanAsync(cloud)).Scan.Findings);
    }

    [Fact]
    public async Task An_exposed_active_key_is_rotated_away_from_then_regenerated_and_a_lagging_app_stops_it_short_of_that()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        var up = await cloud.UpAsync("dev");
        var before = cloud.Keys(up.Environment.AccountId!);
        File.WriteAllText(Path.Combine(root, ".env"), $"AZURE_OPENAI_API_KEY={before.Key1}\n");

        // The app cannot refresh: the rotation moves the secret to key2 but the app still resolves key1.
        var blocked = cloud.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "POST", PathPattern = "func-contoso-dev/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable",
        });
        var report = await ScanAsync(cloud);
        Assert.Equal(new[] { "key1" }, report.ExposedSlots);
        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => RevokeAsync(cloud, report));
        Assert.Equal(KeyExposureResponder.ExposedKeyStillInUse, refused.ErrorId);
        Assert.Equal(before.Key1, cloud.Keys(up.Environment.AccountId!).Key1);   // the app's key still works

        cloud.Host.Cloud.Faults.Remove(blocked.Id);
        await cloud.UpAsync("dev");                                               // up refreshes the stale app
        Assert.Equal(cloud.Keys(up.Environment.AccountId!).Key2, cloud.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY"));
        var again = await RevokeAsync(cloud, await ScanAsync(cloud));            // now key1 is inactive: just regenerated
        Assert.Equal(new[] { "key1" }, again.RegeneratedSlots);
        Assert.NotEqual(before.Key1, cloud.Keys(up.Environment.AccountId!).Key1);
        Assert.Empty((await ScanAsync(cloud)).Scan.Findings);
    }

    [Fact]
    public async Task Both_keys_exposed_one_rotation_and_one_regeneration_leave_neither_valid_and_the_app_on_a_fresh_key()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        var up = await cloud.UpAsync("dev");
        var before = cloud.Keys(up.Environment.AccountId!);
        File.WriteAllText(Path.Combine(root, "keys.txt"), $"{before.Key1}\n{before.Key2}\n");

        var revocation = await RevokeAsync(cloud, await ScanAsync(cloud));

        var after = cloud.Keys(up.Environment.AccountId!);
        Assert.Equal(new[] { "key2", "key1" }, revocation.RegeneratedSlots);
        Assert.Equal("key2", revocation.ActiveSlot);
        Assert.Equal(new[] { "func-contoso-dev" }, revocation.Rotation!.AppsConfirmed);
        Assert.NotEqual(before.Key1, after.Key1);
        Assert.NotEqual(before.Key2, after.Key2);
        Assert.Equal(after.Key2, cloud.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY"));
    }
}
