using System.Management.Automation;
using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>Issue acceptance through the hosted engine: isolation between environments, down re-run after a failure at each step, Ctrl+C.</summary>
[Collection(ModuleCollection.Name)]
public sealed class IsolationAndFaultCmdletTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private string Snapshot(Func<string, bool> include)
    {
        lock (module.Host.Cloud.Sync)
        {
            var state = module.Host.Cloud.State;
            var node = new JsonObject();
            foreach (var resource in state.Resources.Values.Where(r => include(r.Id)).OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase))
            {
                node[resource.Id.ToLowerInvariant()] = new JsonObject
                {
                    ["tags"] = Foundry.Emulator.State.ArmResource.TagsJson(resource.Tags ?? new Dictionary<string, string>()),
                    ["state"] = resource.ProvisioningState,
                    ["settings"] = state.AppSettings.TryGetValue(resource.Id.ToLowerInvariant(), out var settings) ? Foundry.Emulator.State.ArmResource.TagsJson(settings) : null,
                };
            }
            foreach (var (vault, content) in state.Vaults.Where(v => include(v.Key)).OrderBy(v => v.Key))
            {
                foreach (var (name, secret) in content.Secrets) node[$"{vault}/{name}"] = string.Join(",", secret.Versions.Select(v => v.Version)) + (secret.IsDeleted ? " deleted" : "");
            }
            return node.ToJsonString();
        }
    }

    [Fact]
    public void Removing_pr_1_leaves_dev_and_staging_resources_tags_settings_and_secrets_unchanged()
    {
        foreach (var env in new[] { "dev", "staging", "pr-1" }) Assert.Empty(module.Invoke($"New-FoundryEnvironment -Environment {env}").Errors);
        static bool Others(string id) => !id.Contains("pr-1", StringComparison.OrdinalIgnoreCase) && !id.Contains("pr1", StringComparison.OrdinalIgnoreCase) && !id.Contains("func-contoso-pr", StringComparison.OrdinalIgnoreCase);
        var before = Snapshot(Others);
        var down = module.Invoke("Remove-FoundryEnvironment -Environment pr-1 -Confirm:$false");
        Assert.Empty(down.Errors);
        Assert.Equal("Verified", ModuleRunspace.Prop<string>(Assert.Single(down.Objects("FoundryCleanupReport")), "Status"));
        Assert.Equal(before, Snapshot(Others));
    }

    [Fact]
    public void Down_completes_on_a_re_run_after_a_failure_at_each_of_its_steps()
    {
        var steps = new (string Method, string Pattern)[]
        {
            ("PUT", "/config/appsettings$"), ("DELETE", "/roleAssignments/"), ("DELETE", "^/secrets/"), ("DELETE", "^/deletedsecrets/"), ("DELETE", "/deployments/"),
            ("DELETE", "/accounts/[^/]+$"), ("DELETE", "/deletedAccounts/"), ("DELETE", "/vaults/[^/]+$"), ("POST", "/deletedVaults/.+/purge$"), ("DELETE", "/resourcegroups/rg-contoso-pr-"),
        };
        var number = 300;
        foreach (var (method, pattern) in steps)
        {
            var env = $"pr-{number++}";
            Assert.Empty(module.Invoke($"New-FoundryEnvironment -Environment {env}").Errors);
            // A non-retryable failure: a 5xx would first be retried by the SDK (the engine-level test covers that variant).
            var fault = module.Host.Cloud.Faults.Add(new FaultRule { Method = method, PathPattern = pattern, Status = 400, Code = "InjectedFailure" });
            var first = module.Invoke($"Remove-FoundryEnvironment -Environment {env} -Confirm:$false");
            module.Host.Cloud.Faults.Remove(fault.Id);
            Assert.True(first.Errors.Count > 0, $"{method} {pattern}: the injected failure should surface as an error");
            var rerun = System.Diagnostics.Stopwatch.StartNew();
            var again = module.Invoke($"Remove-FoundryEnvironment -Environment {env} -Confirm:$false");
            Assert.True(again.Errors.Count == 0, $"{method} {pattern}: {string.Join("; ", again.Errors)}");
            // The failed run's lease claim (which it could not withdraw once it had removed the operator's secret
            // access) is its own process's leftover: the re-run does not wait out its 2 minutes.
            Assert.True(rerun.Elapsed < TimeSpan.FromSeconds(60), $"{method} {pattern}: the re-run took {rerun.Elapsed.TotalSeconds:0} s");
            Assert.Equal("Verified", ModuleRunspace.Prop<string>(Assert.Single(again.Objects("FoundryCleanupReport")), "Status"));
        }
    }

    [Fact]
    public void Ctrl_C_stops_a_long_operation_promptly()
    {
        var stall = module.Host.Cloud.Faults.Add(new FaultRule { Method = "PUT", PathPattern = "/providers/Microsoft.KeyVault/vaults/kv-contos-pr400", Status = 500, Code = "Stalled", Delay = TimeSpan.FromSeconds(20) });
        try
        {
            using var powershell = PowerShell.Create(module.Runspace);
            powershell.AddScript("New-FoundryEnvironment -Environment pr-400");
            var running = powershell.BeginInvoke();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!module.Host.Cloud.Log.All.Any(r => r.PathAndQuery.Contains("/accounts/oai-contoso-pr-400", StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
            Thread.Sleep(200);
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            powershell.Stop();
            Assert.Throws<PipelineStoppedException>(() => powershell.EndInvoke(running));
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(PSInvocationState.Stopped, powershell.InvocationStateInfo.State);
        }
        finally
        {
            module.Host.Cloud.Faults.Remove(stall.Id);
        }
    }
}
