using System.Management.Automation;
using Foundry.Emulator.Control;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>FR-009 as an operator sees it: ErrorRecords with a stable id, category, target and recommended action.</summary>
[Collection(ModuleCollection.Name)]
public sealed class OperatorErrorCmdletTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private void Quota(string location, int limit)
    {
        lock (module.Host.Cloud.Sync) module.Host.Cloud.State.QuotaLimits[$"{module.Host.DefaultSubscription}/{location}/OpenAI.GlobalStandard.gpt-4o".ToLowerInvariant()] = limit;
    }

    [Fact]
    public void Quota_exhausted_everywhere_is_QuotaExceeded_with_numbers_and_advice_and_writes_nothing()
    {
        Quota("eastus", 5);
        Quota("swedencentral", 5);
        try
        {
            var mark = module.Host.Cloud.Log.All.Count;
            var error = Assert.Single(module.Invoke("New-FoundryEnvironment -Environment pr-61").Errors);
            Assert.Equal("QuotaExhausted,Foundry.Commands.NewFoundryEnvironmentCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.QuotaExceeded, error.CategoryInfo.Category);
            Assert.Contains("has 5 free of 5 (needs 10)", error.Exception.Message);
            Assert.Contains("fallback location", error.ErrorDetails.RecommendedAction);
            Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
        }
        finally
        {
            lock (module.Host.Cloud.Sync) module.Host.Cloud.State.QuotaLimits.Clear();
        }
    }

    [Fact]
    public void Quota_missing_only_in_the_preferred_region_falls_back_with_a_warning()
    {
        Quota("eastus", 5);
        try
        {
            var result = module.Invoke("New-FoundryEnvironment -Environment pr-62");
            Assert.Empty(result.Errors);
            Assert.Contains(result.Streams.Warning, w => w.Message.Contains("fallback region swedencentral", StringComparison.Ordinal));
            Assert.Equal("swedencentral", ModuleRunspace.Prop<string>(Assert.Single(result.Objects("FoundryEnvironment")), "Location"));
        }
        finally
        {
            lock (module.Host.Cloud.Sync) module.Host.Cloud.State.QuotaLimits.Clear();
        }
    }

    [Fact]
    public void A_403_is_PermissionDenied_naming_operation_scope_and_role_with_the_resource_as_target()
    {
        var rule = module.Host.Cloud.Faults.Add(new FaultRule { Method = "PUT", PathPattern = "/providers/Microsoft.KeyVault/vaults/kv-contos-pr63", Status = 403, Code = "AuthorizationFailed" });
        try
        {
            var error = Assert.Single(module.Invoke("New-FoundryEnvironment -Environment pr-63").Errors);
            Assert.Equal("PermissionDenied,Foundry.Commands.NewFoundryEnvironmentCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
            Assert.EndsWith("/providers/Microsoft.KeyVault/vaults/" + ((string)error.TargetObject).Split('/').Last(), (string)error.TargetObject);
            Assert.Contains("'Key Vault Contributor' role at scope '/subscriptions/", error.ErrorDetails.RecommendedAction);
            Assert.Contains("ErrorCode: AuthorizationFailed", error.ErrorDetails.Message);
        }
        finally
        {
            module.Host.Cloud.Faults.Remove(rule.Id);
        }
    }

    [Fact]
    public void A_soft_deleted_account_of_a_long_lived_environment_is_ResourceExists_with_restore_or_purge_advice()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment staging").Errors);
        Assert.Empty(module.Invoke("Remove-FoundryEnvironment -Environment staging -Confirm:$false").Errors);
        var error = Assert.Single(module.Invoke("New-FoundryEnvironment -Environment staging").Errors);
        Assert.Equal("AccountNameSoftDeleted,Foundry.Commands.NewFoundryEnvironmentCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Contains("restoreSoftDeleted", error.ErrorDetails.RecommendedAction);
        Assert.Contains("/deletedAccounts/", (string)error.TargetObject);
    }
}
