using Foundry.Emulator.Control;
using Foundry.Engine.Environments;
using Foundry.Engine.Errors;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>FR-009: the failures an operator meets, each with its error id and recommended action, or the documented automatic remedy.</summary>
public sealed class OperatorErrorTests
{
    private static void Limit(LocalCloud cloud, string location, int limit)
    {
        lock (cloud.Host.Cloud.Sync) cloud.Host.Cloud.State.QuotaLimits[$"{cloud.Subscription}/{location}/OpenAI.GlobalStandard.gpt-4o".ToLowerInvariant()] = limit;
    }

    private static Task<ProvisionResult> UpAsync(LocalCloud cloud, FoundryPolicy policy, string environment, List<string>? warnings = null) =>
        cloud.Provisioner.ProvisionAsync(policy, environment, false, "run", LocalCloud.NoAudit, new Collecting(warnings ?? new List<string>()), CancellationToken.None);

    [Fact]
    public async Task Without_quota_in_the_preferred_region_the_account_goes_to_the_approved_fallback_with_a_warning()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        Limit(cloud, "eastus", 5);
        var warnings = new List<string>();
        var result = await UpAsync(cloud, cloud.Policy, "dev", warnings);
        Assert.Equal("swedencentral", result.Environment.Location);
        Assert.Contains(warnings, w => w.Contains("fallback region swedencentral", StringComparison.Ordinal) && w.Contains("has 5 free of 5 (needs 10)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_no_approved_region_has_quota_the_error_names_the_quota_used_and_free_and_what_to_do()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        Limit(cloud, "eastus", 5);
        Limit(cloud, "swedencentral", 8);
        var mark = cloud.Mark;
        var e = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, cloud.Policy, "dev"));
        Assert.Equal(EngineErrorIds.QuotaExhausted, e.ErrorId);
        Assert.Equal(FailureKind.QuotaExceeded, e.Kind);
        Assert.Contains("eastus: quota 'Tokens Per Minute (thousands) - gpt-4o - GlobalStandard' has 5 free of 5 (needs 10)", e.Message);
        Assert.Contains("swedencentral:", e.Message);
        Assert.Contains("purge soft-deleted accounts", e.RecommendedAction);
        Assert.Equal(0, cloud.MutatingSince(mark)); // placement is settled before anything is written
    }

    [Fact]
    public async Task A_model_missing_in_the_region_is_ModelNotAvailableInRegion()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        var policy = PolicyReader.Parse(LocalCloudPolicies.Single(cloud.Subscription, "francecentral", "\"model\": \"gpt-4.1\", \"version\": \"2025-04-14\""));
        var e = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, policy, "dev"));
        Assert.Equal(EngineErrorIds.ModelNotAvailableInRegion, e.ErrorId);
        Assert.Contains("gpt-4.1 2025-04-14 (GlobalStandard) is not offered", e.Message);
        Assert.Contains("GlobalStandard", e.RecommendedAction);
    }

    [Fact]
    public async Task A_403_names_the_operation_the_scope_and_the_role_that_would_allow_it()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        cloud.Host.Cloud.Faults.Add(new FaultRule { Method = "PUT", PathPattern = "/providers/Microsoft.KeyVault/vaults/", Status = 403, Code = "AuthorizationFailed", Principal = LocalCloud.Operator });
        var e = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, cloud.Policy, "dev"));
        Assert.Equal(EngineErrorIds.PermissionDenied, e.ErrorId);
        Assert.Equal(FailureKind.Forbidden, e.Kind);
        Assert.Contains("create Key Vault 'kv-contos-dev-", e.Message);
        Assert.Contains("'Key Vault Contributor' role at scope '/subscriptions/", e.RecommendedAction);
        Assert.Equal("AuthorizationFailed", e.ErrorCode);
    }

    [Fact]
    public async Task A_soft_deleted_account_holding_the_name_is_refused_with_the_remedy_or_restored_when_the_policy_says_so()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        var first = await UpAsync(cloud, cloud.Policy, "dev");
        await cloud.Remover.RemoveAsync(cloud.Policy, "dev", false, "down", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        var e = await Assert.ThrowsAsync<FoundryEngineException>(() => UpAsync(cloud, cloud.Policy, "dev"));
        Assert.Equal(EngineErrorIds.AccountNameSoftDeleted, e.ErrorId);
        Assert.Contains("restoreSoftDeleted", e.RecommendedAction);

        var restoring = LocalCloud.PolicyFor(cloud.Subscription, ", \"purge\": { \"restoreSoftDeleted\": true }");
        var restored = await UpAsync(cloud, restoring, "dev");
        Assert.Contains(restored.Changes, c => c.Action == "Restore" && c.ResourceType == "Microsoft.CognitiveServices/accounts");
        Assert.Contains(restored.Changes, c => c.Action == "Recover" && c.ResourceType == "Microsoft.KeyVault/vaults");
        Assert.Contains(restored.Changes, c => c.Action == "Recover" && c.ResourceType == "secret");
        Assert.Equal(first.Environment.AccountId, restored.Environment.AccountId);
        Assert.Equal("Resolved", restored.Environment.Apps.Single().ReferenceStatus);
    }

    [Fact]
    public async Task Down_completes_when_re_run_after_a_failure_injected_at_each_of_its_steps()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-pr");
        var steps = new (string Method, string Pattern)[]
        {
            ("PUT", "/config/appsettings$"), ("DELETE", "/roleAssignments/"), ("DELETE", "^/secrets/"), ("DELETE", "^/deletedsecrets/"),
            ("DELETE", "/deployments/"), ("DELETE", "/accounts/[^/]+$"), ("DELETE", "/deletedAccounts/"), ("DELETE", "/vaults/[^/]+$"),
            ("POST", "/deletedVaults/.+/purge$"), ("DELETE", "/resourcegroups/rg-contoso-pr-"),
        };
        var environment = 200;
        foreach (var (method, pattern) in steps)
        {
            var name = $"pr-{environment++}";
            await cloud.UpAsync(name);
            var fault = cloud.Host.Cloud.Faults.Add(new FaultRule { Method = method, PathPattern = pattern, Status = 500, Code = "InternalServerError" });
            var failed = await Record.ExceptionAsync(() => cloud.Remover.RemoveAsync(cloud.Policy, name, false, "down-1", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None));
            Assert.True(failed is FoundryEngineException, $"{method} {pattern}: the injected failure should stop the first run ({failed?.GetType().Name})");
            cloud.Host.Cloud.Faults.Remove(fault.Id);

            var report = await cloud.Remover.RemoveAsync(cloud.Policy, name, false, "down-2", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
            Assert.True(report.Status == "Verified", $"{method} {pattern}: {report.Status}");
            Assert.Equal(0, cloud.CountResources(r => r.Tags is not null && r.Tags.TryGetValue("foundry-env", out var env) && env == name));
            lock (cloud.Host.Cloud.Sync)
            {
                Assert.DoesNotContain(cloud.Host.Cloud.State.DeletedAccounts.Values, d => d.Account.Name.Contains(name, StringComparison.Ordinal));
                Assert.DoesNotContain(cloud.Host.Cloud.State.DeletedVaults.Keys, v => v.Contains(name.Replace("-", ""), StringComparison.Ordinal));
            }
        }
        Assert.Equal(new[] { "UNRELATED_SETTING" }, cloud.AppSettings("func-contoso-pr").Keys);
    }

    private sealed class Collecting(List<string> warnings) : IEngineReporter
    {
        public void Progress(string activity, string status)
        {
        }

        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
            lock (warnings) warnings.Add(message);
        }

        public void Audit(Foundry.Engine.Audit.AuditRecord record)
        {
        }
    }
}

internal static class LocalCloudPolicies
{
    public static string Single(string subscription, string location, string model) => $$"""
        { "app": "contoso", "environments": { "dev": { "subscriptionId": "{{subscription}}", "location": "{{location}}",
          "deployments": [ { "name": "main", {{model}}, "sku": "GlobalStandard", "capacity": 10 } ], "keyVault": { "create": true } } } }
        """;
}
