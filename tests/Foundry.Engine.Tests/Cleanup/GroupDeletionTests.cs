using Foundry.Engine.Cleanup;
using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Cleanup;

/// <summary>Remove-FoundryManagedResource on a resource group: deleting a group deletes everything in it, tagged or not.</summary>
public sealed class GroupDeletionTests
{
    private static readonly CleanupOptions Fast = new(4, 3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), false);
    private const string ManagedTags = "{\"foundry-managed\":\"true\",\"foundry-env\":\"pr-9\",\"foundry-app\":\"contoso\"}";

    private static async Task<string> GroupAsync(LocalCloud cloud, string name)
    {
        using var http = cloud.Http();
        var group = await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourcegroups/{name}?api-version=2025-04-01", LocalCloud.Json($"{{\"location\":\"eastus\",\"tags\":{ManagedTags}}}"));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        return $"/subscriptions/{cloud.Subscription}/resourceGroups/{name}";
    }

    private static async Task<string> StorageAsync(LocalCloud cloud, string group, string name, string tags)
    {
        using var http = cloud.Http();
        var id = $"/subscriptions/{cloud.Subscription}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{name}";
        var put = await http.PutAsync($"{id}?api-version=2023-05-01", LocalCloud.Json($"{{\"location\":\"eastus\",\"tags\":{tags},\"properties\":{{}}}}"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        return id;
    }

    private static Task<CleanupReport> CleanAsync(LocalCloud cloud, IReadOnlyList<string> ids, IEngineReporter reporter) =>
        new ManagedResourceCleaner(cloud.Services).DeleteAsync(ids, Fast, "pr-9", null, _ => { }, reporter, CancellationToken.None);

    [Fact]
    public async Task A_managed_group_holding_an_untagged_resource_is_kept_with_the_reason_and_only_the_managed_resources_inside_are_deleted()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var group = await GroupAsync(cloud, "rg-contoso-pr-9");
        // The managed account is not in the caller's list (Resource Graph has not indexed it yet): Resource Manager's list finds it.
        var managed = await StorageAsync(cloud, "rg-contoso-pr-9", "stmanaged", ManagedTags);
        var foreign = await StorageAsync(cloud, "rg-contoso-pr-9", "stsomeoneelse", "{\"owner\":\"data-team\"}");
        // Managed, but another environment's: not this group's to take either.
        var otherEnvironment = await StorageAsync(cloud, "rg-contoso-pr-9", "stpr10", "{\"foundry-managed\":\"true\",\"foundry-env\":\"pr-10\"}");
        var warnings = new WarningRecorder();

        var report = await CleanAsync(cloud, new[] { group }, warnings);

        var kept = Assert.Single(report.Kept);
        Assert.Equal(group, kept.ResourceId);
        Assert.Contains("stsomeoneelse", kept.Error);
        Assert.Contains("stpr10", kept.Error);
        Assert.Contains(warnings.Messages, w => w.Contains("rg-contoso-pr-9", StringComparison.Ordinal) && w.Contains("stsomeoneelse", StringComparison.Ordinal));
        Assert.Equal("deleted", report.Deletions.Single(d => d.ResourceId.Equals(managed, StringComparison.OrdinalIgnoreCase)).Status);
        Assert.Equal("Verified", report.Status);
        Assert.Equal(1, cloud.CountResources(r => r.Id.Equals(group, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(1, cloud.CountResources(r => r.Id.Equals(foreign, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(1, cloud.CountResources(r => r.Id.Equals(otherEnvironment, StringComparison.OrdinalIgnoreCase)));
        Assert.Equal(0, cloud.CountResources(r => r.Id.Equals(managed, StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(cloud.Host.Cloud.Log.All, r => r.Method == "DELETE" && r.PathAndQuery.Contains("/resourcegroups/rg-contoso-pr-9?", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_managed_group_holding_only_its_managed_resources_is_deleted_after_them()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var group = await GroupAsync(cloud, "rg-contoso-pr-9");
        var managed = await StorageAsync(cloud, "rg-contoso-pr-9", "stmanaged", ManagedTags);

        var report = await CleanAsync(cloud, new[] { group }, NullReporter.Instance);

        Assert.Empty(report.Kept);
        Assert.Equal("Verified", report.Status);
        Assert.Equal(2, report.TotalDeleted);
        Assert.Equal(0, cloud.CountResources(r => r.Id.StartsWith(group, StringComparison.OrdinalIgnoreCase)));
        var deletes = cloud.Host.Cloud.Log.All.Where(r => r.Method == "DELETE").Select(r => r.PathAndQuery).ToList();
        Assert.True(deletes.FindIndex(p => p.Contains("stmanaged", StringComparison.Ordinal)) < deletes.FindIndex(p => !p.Contains("/providers/", StringComparison.Ordinal)),
            "the managed resource is deleted on its own before the group");
        Assert.Contains(report.Deletions, d => d.ResourceId.Equals(managed, StringComparison.OrdinalIgnoreCase) && d.Status == "deleted");
    }
}
