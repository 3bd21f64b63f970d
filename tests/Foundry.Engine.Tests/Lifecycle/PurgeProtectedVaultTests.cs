using Foundry.Engine.Environments;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// An ephemeral environment whose vault became purge-protected (an Azure Policy "Key vaults should have deletion
/// protection enabled" modify, or a person): Azure refuses the purges (405 DeletedVaultPurge for the vault, 403 for its
/// secrets) and a new vault of the name until the scheduled purge date, so down reports it soft-deleted and up recovers it.
/// </summary>
public sealed class PurgeProtectedVaultTests
{
    [Fact]
    public async Task Down_reports_a_purge_protected_vault_as_soft_deleted_until_its_purge_date_and_up_recovers_it()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var up = await cloud.UpAsync("pr-8");
        var vaultId = $"/subscriptions/{cloud.Subscription}/resourceGroups/{up.Environment.ResourceGroupName}/providers/Microsoft.KeyVault/vaults/{up.Environment.KeyVaultName}";
        using (var http = cloud.Http())
        {
            var patch = await http.PatchAsync($"{vaultId}?api-version=2025-05-01", LocalCloud.Json("{\"properties\":{\"enablePurgeProtection\":true}}"));
            Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
        }

        var warnings = new WarningRecorder();
        var down = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-8", false, "run-down", LocalCloud.NoAudit, warnings, CancellationToken.None);

        Assert.False(down.HasFailures);
        Assert.Equal("Verified", down.Status);
        var deletedVault = Assert.Single(down.Deletions, d => d.ResourceType == "Microsoft.KeyVault/deletedVaults");
        Assert.Equal("soft-deleted", deletedVault.Status);
        DateTimeOffset scheduled;
        lock (cloud.Host.Cloud.Sync) scheduled = cloud.Host.Cloud.State.DeletedVaults[up.Environment.KeyVaultName.ToLowerInvariant()].ScheduledPurgeDate;
        Assert.Contains(scheduled.UtcDateTime.ToString("u"), deletedVault.Error);
        Assert.Contains(warnings.Messages, m => m.Contains(up.Environment.KeyVaultName) && m.Contains("purge-protected"));
        Assert.Equal("soft-deleted", Assert.Single(down.Deletions, d => d.ResourceType == "deletedsecret").Status);
        Assert.DoesNotContain(cloud.Host.Cloud.Log.All, r => r.Method == "POST" && r.PathAndQuery.Contains("/purge", StringComparison.OrdinalIgnoreCase) && r.PathAndQuery.Contains("deletedVaults", StringComparison.OrdinalIgnoreCase));

        // A re-run (the vault is already soft-deleted) neither tries the purge nor fails.
        var again = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-8", false, "run-down-2", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.False(again.HasFailures);
        Assert.Equal("soft-deleted", Assert.Single(again.Deletions, d => d.ResourceType == "Microsoft.KeyVault/deletedVaults").Status);

        // The name is held until the purge date: up recovers the vault (createMode recover) and wires the app again.
        var second = await cloud.UpAsync("pr-8");
        Assert.Contains(second.Changes, c => c.Action == "Recover" && c.ResourceType == "Microsoft.KeyVault/vaults");
        Assert.DoesNotContain(second.Changes, c => c.Action == "Purge");
        Assert.Equal("Resolved", second.Environment.Apps.Single().ReferenceStatus);
    }

    [Fact]
    public async Task A_vault_deleted_outside_Foundry_while_purge_protected_is_recovered_by_up_and_not_purged_by_down()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var up = await cloud.UpAsync("pr-9");
        var vaultId = $"/subscriptions/{cloud.Subscription}/resourceGroups/{up.Environment.ResourceGroupName}/providers/Microsoft.KeyVault/vaults/{up.Environment.KeyVaultName}";
        using (var http = cloud.Http())
        {
            var patch = await http.PatchAsync($"{vaultId}?api-version=2025-05-01", LocalCloud.Json("{\"properties\":{\"enablePurgeProtection\":true}}"));
            Assert.True(patch.IsSuccessStatusCode, await patch.Content.ReadAsStringAsync());
            var delete = await http.DeleteAsync($"{vaultId}?api-version=2025-05-01");
            Assert.True(delete.IsSuccessStatusCode, await delete.Content.ReadAsStringAsync());
        }

        // Down on the already soft-deleted vault: no purge attempt (Azure's 405), no failure.
        var down = await cloud.Remover.RemoveAsync(cloud.Policy, "pr-9", false, "run-down", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.False(down.HasFailures);
        Assert.Equal("soft-deleted", Assert.Single(down.Deletions, d => d.ResourceType == "Microsoft.KeyVault/deletedVaults").Status);

        var second = await cloud.UpAsync("pr-9");
        Assert.Contains(second.Changes, c => c.Action == "Recover" && c.ResourceType == "Microsoft.KeyVault/vaults" && c.Reason.Contains("purge-protected"));
        Assert.Equal("Resolved", second.Environment.Apps.Single().ReferenceStatus);
    }
}
