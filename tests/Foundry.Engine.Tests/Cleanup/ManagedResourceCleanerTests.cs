using Foundry.Emulator.Control;
using Foundry.Engine.Cleanup;
using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Cleanup;

/// <summary>Remove-FoundryManagedResource's engine: order, retries, tag re-check, verification.</summary>
public sealed class ManagedResourceCleanerTests
{
    private static readonly CleanupOptions Fast = new(4, 3, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), false);

    private static async Task<List<string>> SeedAsync(LocalCloud cloud, int accounts, bool managed = true)
    {
        using var http = cloud.Http();
        var group = await http.PutAsync($"/subscriptions/{cloud.Subscription}/resourcegroups/rg-clean?api-version=2025-04-01", LocalCloud.Json("{\"location\":\"eastus\",\"tags\":{\"foundry-managed\":\"true\"}}"));
        Assert.True(group.IsSuccessStatusCode);
        var ids = new List<string>();
        for (var i = 0; i < accounts; i++)
        {
            var parent = $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-clean/providers/Microsoft.Storage/storageAccounts/stclean{i}";
            var tags = managed ? "\"tags\":{\"foundry-managed\":\"true\",\"foundry-env\":\"pr-9\"}," : "\"tags\":{\"owner\":\"someone\"},";
            Assert.True((await http.PutAsync($"{parent}?api-version=2023-05-01", LocalCloud.Json($"{{\"location\":\"eastus\",{tags}\"properties\":{{}}}}"))).IsSuccessStatusCode);
            Assert.True((await http.PutAsync($"{parent}/blobServices/default?api-version=2023-05-01", LocalCloud.Json($"{{{tags}\"properties\":{{}}}}"))).IsSuccessStatusCode);
            ids.Add(parent);
            ids.Add($"{parent}/blobServices/default");
        }
        return ids;
    }

    private static Task<CleanupReport> CleanAsync(LocalCloud cloud, IReadOnlyList<string> ids, CleanupOptions? options = null, List<ResourceDeletion>? streamed = null) =>
        new ManagedResourceCleaner(cloud.Services).DeleteAsync(ids, options ?? Fast, "pr-9", null, r => { lock (ids) streamed?.Add(r); }, NullReporter.Instance, CancellationToken.None);

    [Fact]
    public async Task Children_go_before_parents_and_a_parent_in_conflict_is_retried_until_deleted()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var ids = await SeedAsync(cloud, 3);
        cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "DELETE", PathPattern = "storageAccounts/stclean0$", Status = 409, Code = "Conflict", Message = "The resource has nested resources.", Count = 2 });
        var streamed = new List<ResourceDeletion>();

        var report = await CleanAsync(cloud, ids, streamed: streamed);

        Assert.Equal("Verified", report.Status);
        Assert.Equal(6, report.TotalDeleted);
        Assert.Equal(6, streamed.Count);
        Assert.Equal(3, report.Deletions.Single(d => d.ResourceId.EndsWith("stclean0", StringComparison.Ordinal)).Attempts);
        var deletes = cloud.Host.Cloud.Log.All.Where(r => r.Method == "DELETE" && r.Status < 300).Select(r => r.PathAndQuery).ToList();
        Assert.True(deletes.FindLastIndex(p => p.Contains("/blobServices/")) < deletes.FindIndex(p => p.Contains("stclean") && !p.Contains("/blobServices/")),
            "every child must be deleted before the first parent");
    }

    [Fact]
    public async Task A_resource_locked_for_good_fails_with_its_error_the_rest_are_deleted_and_the_report_says_PartialFailure()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var ids = await SeedAsync(cloud, 2);
        cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "DELETE", PathPattern = "stclean1/blobServices/default$", Status = 409, Code = "ScopeLocked" });

        var report = await CleanAsync(cloud, ids);

        Assert.Equal("PartialFailure", report.Status);
        Assert.True(report.HasFailures);
        var locked = report.Deletions.Single(d => d.Status == "failed" && d.ResourceId.EndsWith("stclean1/blobServices/default", StringComparison.Ordinal));
        Assert.Equal(3, locked.Attempts);
        Assert.Contains("ScopeLocked", locked.Error);
        Assert.Contains(report.Deletions, d => d.ResourceId.EndsWith("stclean0", StringComparison.Ordinal) && d.Status == "deleted");
    }

    [Fact]
    public async Task Forbidden_is_not_retried_and_NotFound_counts_as_deleted()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var ids = await SeedAsync(cloud, 1);
        cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "DELETE", PathPattern = "stclean0/blobServices/default$", Status = 403, Code = "AuthorizationFailed" });
        var missing = $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-clean/providers/Microsoft.Storage/storageAccounts/stgone";

        var report = await CleanAsync(cloud, ids.Append(missing).ToList());

        var forbidden = report.Deletions.Single(d => d.ResourceId.EndsWith("blobServices/default", StringComparison.Ordinal));
        Assert.Equal(("failed", 1), (forbidden.Status, forbidden.Attempts));
        Assert.Contains("PermissionDenied", forbidden.Error);
        var gone = report.Deletions.Single(d => d.ResourceId == missing);
        Assert.Equal(("deleted", 0), (gone.Status, gone.Attempts));
    }

    [Fact]
    public async Task A_resource_whose_managed_tag_is_gone_on_Resource_Manager_is_skipped_not_deleted()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var foreign = await SeedAsync(cloud, 1, managed: false);

        var report = await CleanAsync(cloud, foreign);

        Assert.All(report.Deletions, d => Assert.Equal("skipped", d.Status));
        Assert.Equal("Verified", report.Status);
        Assert.Equal(2, cloud.CountResources(r => r.Id.Contains("stclean0", StringComparison.Ordinal)));
        Assert.DoesNotContain(cloud.Host.Cloud.Log.All, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task Throttled_deletes_follow_Retry_After_and_a_re_run_deletes_nothing()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var ids = await SeedAsync(cloud, 2);
        cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "DELETE", PathPattern = "stclean1$", Status = 429, Code = "TooManyRequests", RetryAfterSeconds = 1, Count = 1 });

        var report = await CleanAsync(cloud, ids);
        Assert.Equal("Verified", report.Status);
        Assert.Equal(4, report.TotalDeleted);

        var mark = cloud.Mark;
        var again = await CleanAsync(cloud, ids);
        Assert.Equal("Verified", again.Status);
        Assert.All(again.Deletions, d => Assert.Equal(0, d.Attempts));
        Assert.Equal(0, cloud.MutatingSince(mark));
    }
}
