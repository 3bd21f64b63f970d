using Foundry.Engine.Environments;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// The rotation guard when Azure's configreferences status says Resolved but reports no activeVersion: it does not
/// assume the app is on the current secret version, unless the secret has no other version the app could be on.
/// </summary>
public sealed class RotationGuardTests
{
    private static Task<RotationRecord> RotateAsync(LocalCloud cloud) =>
        cloud.Rotator.RotateAsync(cloud.Policy, "dev", false, whatIf: false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

    /// <summary>What Azure can answer: the reference Resolved, activeVersion absent (the app keeps the value it resolved).</summary>
    internal static void DropActiveVersion(LocalCloud cloud, string site)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            var id = $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{site}".ToLowerInvariant();
            foreach (var reference in cloud.Host.Cloud.State.ResolvedReferences[id].Values) reference.ActiveVersion = null;
        }
    }

    [Fact]
    public async Task An_app_Resolved_without_an_active_version_is_not_taken_as_refreshed_and_the_rotation_is_refused()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        await cloud.UpAsync("dev");
        cloud.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "POST", PathPattern = "func-contoso-dev/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable",
        });
        var first = await RotateAsync(cloud);
        Assert.Equal(new[] { "func-contoso-dev" }, first.AppsPending);   // the app still uses the first key
        var stillUsed = cloud.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY");
        DropActiveVersion(cloud, "func-contoso-dev");

        var refused = await Assert.ThrowsAsync<FoundryEngineException>(() => RotateAsync(cloud));

        Assert.Equal(KeyRotator.KeyRotationUnsafe, refused.ErrorId);
        Assert.Contains("no active version", refused.Message);
        Assert.Equal(stillUsed, cloud.ResolvedValue("func-contoso-dev", "AZURE_OPENAI_API_KEY"));
        Assert.Contains(stillUsed, new[] { cloud.Keys(first.AccountId).Key1, cloud.Keys(first.AccountId).Key2 });   // not regenerated away
    }

    [Fact]
    public async Task Without_an_active_version_a_secret_with_a_single_version_still_proves_the_app_current()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        await cloud.UpAsync("dev");
        DropActiveVersion(cloud, "func-contoso-dev");

        var rotation = await RotateAsync(cloud);

        Assert.Equal(("key1", "key2"), (rotation.PreviousSlot, rotation.NewSlot));
    }
}
