using System.Diagnostics;
using System.Management.Automation;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// Environments from the pipeline processed at once (-ThrottleLimit): a result per environment as each finishes, a
/// child progress record per environment, an error per failing environment targeted at it while the others complete.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class FleetCmdletTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private const string AccountCreate = "Microsoft.CognitiveServices/accounts:create";

    // Environments of different apps: pr-* environments share one app here, and ups of several environments wiring one
    // shared app contend for its settings (see docs/architecture.md, "Fleet runs").
    [Fact]
    public void Up_of_three_environments_runs_them_at_once_and_one_failure_stops_no_other()
    {
        // Each account takes 1.5 s to create: one after the other, three take at least 4.5 s.
        module.Host.Cloud.Timings.Set(AccountCreate, TimeSpan.FromSeconds(1.5));
        var refused = module.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "PUT", PathPattern = "/accounts/oai-contoso-pr-903-[^/]+$", Status = 403, Code = "AuthorizationFailed",
        });
        try
        {
            var mark = module.Host.Cloud.Log.All.Count;
            var watch = Stopwatch.StartNew();
            var up = module.Invoke("'dev', 'staging', 'pr-903', 'pr-904' | ForEach-Object { [pscustomobject]@{ Environment = $_ } } | New-FoundryEnvironment -ThrottleLimit 4");
            watch.Stop();

            var environments = up.Objects("FoundryEnvironment").Select(e => ModuleRunspace.Prop<string>(e, "Environment")).OrderBy(e => e).ToList();
            Assert.Equal(new[] { "dev", "pr-904", "staging" }, environments);
            var error = Assert.Single(up.Errors);
            Assert.StartsWith("PermissionDenied,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal("pr-903", error.TargetObject);
            // At once: every account creation started before the first of them (1.5 s) could have finished.
            var creations = module.Host.Cloud.Log.All.Skip(mark)
                .Where(r => r.Method == "PUT" && System.Text.RegularExpressions.Regex.IsMatch(r.PathAndQuery.Split('?')[0], "/accounts/oai-contoso-[^/]+$")).Select(r => r.Time).ToList();
            Assert.Equal(4, creations.Count);
            Assert.True(creations.Max() - creations.Min() < TimeSpan.FromSeconds(1.5), $"account creations spread over {(creations.Max() - creations.Min()).TotalSeconds:0.0} s: the ups did not run at once (all four took {watch.Elapsed.TotalSeconds:0.0} s)");
            // A child progress record per environment, under the command's.
            var children = up.Streams.Progress.Where(p => p.ParentActivityId >= 0).Select(p => p.Activity).Distinct().ToList();
            Assert.Superset(new HashSet<string> { "dev", "staging", "pr-903", "pr-904" }, new HashSet<string>(children));
            Assert.Equal(4, children.Count);
            Assert.Contains(up.Streams.Progress, p => p.ParentActivityId == -1 && p.RecordType == ProgressRecordType.Completed);
        }
        finally
        {
            module.Host.Cloud.Faults.Remove(refused.Id);
            module.Host.Cloud.Timings.Clear();
        }

        // ThrottleLimit 1 keeps the sequential behaviour: one environment after the other, each error as today's.
        var sequential = module.Invoke("'dev', 'staging' | ForEach-Object { [pscustomobject]@{ Environment = $_ } } | Test-FoundryEnvironment -ThrottleLimit 1");
        Assert.Empty(sequential.Errors);
        Assert.Equal(new[] { "dev", "staging" }, sequential.Objects("FoundryEnvironmentCheck").Select(c => ModuleRunspace.Prop<string>(c, "Environment")).Distinct().ToArray());
        Assert.DoesNotContain(sequential.Streams.Progress, p => p.ParentActivityId >= 0);

        var down = module.Invoke("'dev', 'staging', 'pr-903', 'pr-904' | ForEach-Object { [pscustomobject]@{ Environment = $_ } } | Remove-FoundryEnvironment -Confirm:$false");
        Assert.Empty(down.Errors);
        Assert.Equal(4, down.Objects("FoundryCleanupReport").Count());
    }
}
