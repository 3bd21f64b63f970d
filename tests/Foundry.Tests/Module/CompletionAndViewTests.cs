using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>-Environment tab completion through TabExpansion2, and a format view for every output type.</summary>
[Collection(ModuleCollection.Name)]
public sealed class CompletionAndViewTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private static List<string> Complete(Func<string, ModuleRunspace.Result> invoke, string line)
    {
        var result = invoke($"(TabExpansion2 -inputScript '{line.Replace("'", "''")}' -cursorColumn {line.Length}).CompletionMatches | ForEach-Object CompletionText");
        Assert.Empty(result.Errors);
        return result.Output.Select(o => o.ToString()).ToList();
    }

    [Fact]
    public void Every_cmdlet_with_Environment_completes_the_policy_environments_and_the_pr_environments_Azure_has()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-91").Errors);
        var cmdlets = module.Invoke("Get-Command -Module Foundry | Where-Object { $_.Parameters.ContainsKey('Environment') } | ForEach-Object Name").Output.Select(o => o.ToString()).ToList();
        Assert.Contains("Find-FoundryKeyExposure", cmdlets);
        Assert.True(cmdlets.Count >= 8, string.Join(", ", cmdlets));

        foreach (var cmdlet in cmdlets)
        {
            Assert.Equal(new[] { "dev", "pr-91", "staging" }, Complete(s => module.Invoke(s), $"{cmdlet} -Environment "));
        }
        Assert.Equal(new[] { "pr-91" }, Complete(s => module.Invoke(s), "Invoke-FoundryKeyRotation -Environment pr"));
        Assert.Equal(new[] { "staging" }, Complete(s => module.Invoke(s), "Remove-FoundryEnvironment -Environment st"));
        Assert.Equal(new[] { "dev", "pr-91", "staging" }, Complete(s => module.Invoke(s), "Get-FoundryEnvironment "));     // positional
    }

    [Fact]
    public void When_the_Azure_query_fails_the_policy_environments_are_still_offered()
    {
        // Another app's policy, so that no earlier answer for contoso is served from the cache.
        var policy = Path.Combine(module.Folder, "fabrikam.policy.json");
        File.WriteAllText(policy, ModuleRunspace.Policy(module.Host.DefaultSubscription).Replace("\"app\": \"contoso\"", "\"app\": \"fabrikam\"", StringComparison.Ordinal));
        var failing = module.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "POST", PathPattern = "/providers/Microsoft.ResourceGraph/resources$", Status = 400, Code = "BadRequest",
        });
        try
        {
            Assert.Equal(new[] { "dev", "staging" }, Complete(s => module.Invoke(s), $"Get-FoundryEnvironment -PolicyPath '{policy}' -Environment "));
            Assert.True(failing.Hits > 0, "the completion did not ask Azure");
        }
        finally
        {
            module.Host.Cloud.Faults.Remove(failing.Id);
        }
    }

    [Fact]
    public void Without_a_connection_only_the_policy_is_offered_quickly_and_a_missing_or_broken_policy_offers_nothing_without_error()
    {
        using var runspace = RunspaceFactory.CreateRunspace(ModuleRunspace.Session());
        runspace.Open();
        ModuleRunspace.Result Invoke(string script)
        {
            using var powershell = PowerShell.Create(runspace);
            var output = powershell.AddScript(script).Invoke();
            return new ModuleRunspace.Result(output, powershell.Streams.Error.ToArray(), powershell.Streams);
        }

        var clock = Stopwatch.StartNew();
        Assert.Equal(new[] { "dev", "staging" }, Complete(Invoke, $"New-FoundryEnvironment -PolicyPath '{module.PolicyPath}' -Environment "));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"completion took {clock.Elapsed}");
        Assert.Empty(Complete(Invoke, $"New-FoundryEnvironment -PolicyPath '{Path.Combine(module.Folder, "missing.json")}' -Environment "));
        var broken = Path.Combine(module.Folder, "broken.policy.json");
        File.WriteAllText(broken, "{ \"app\": ");
        Assert.Empty(Complete(Invoke, $"Invoke-FoundryKeyRotation -PolicyPath '{broken}' -Environment "));
    }

    [Fact]
    public void Every_output_type_of_every_cmdlet_and_every_model_type_has_a_table_view_in_the_loaded_format_data()
    {
        var outputTypes = module.Invoke("Get-Command -Module Foundry | ForEach-Object OutputType | ForEach-Object Name | Sort-Object -Unique").Output.Select(o => o.ToString()).ToList();
        var models = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "Foundry" && a.Location.Contains("out", StringComparison.Ordinal))
            .GetExportedTypes().Where(t => t.Namespace == "Foundry.Models").Select(t => t.FullName!).ToList();
        Assert.Contains("Foundry.Models.FoundryKeyExposure", outputTypes);
        Assert.Contains("Foundry.Models.FoundryEnvironmentApp", models);     // nested in FoundryEnvironment, not an OutputType itself

        var missing = new List<string>();
        foreach (var type in outputTypes.Union(models))
        {
            var views = module.Invoke($"Get-FormatData -TypeName '{type}' | ForEach-Object FormatViewDefinition | Where-Object {{ $_.Control -is [System.Management.Automation.TableControl] }} | ForEach-Object Name").Output;
            if (views.Count == 0) missing.Add(type);
        }
        Assert.Empty(missing);
    }
}
