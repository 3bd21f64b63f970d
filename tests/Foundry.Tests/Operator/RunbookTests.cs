using System.Globalization;
using System.Management.Automation;
using Foundry.Tests.Support;

namespace Foundry.Tests.Operator;

/// <summary>
/// The Azure Automation runbooks (docs/runbooks) executed in the hosted PowerShell engine against the local cloud,
/// pointed at it through their -Cloud Local / -EmulatorConnectionFile / -PolicyPath parameters.
/// </summary>
[Collection(Foundry.Tests.Module.ModuleCollection.Name)]
public sealed class RunbookTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private const string Rotation = "docs/runbooks/Invoke-FoundryScheduledRotation.ps1";
    private const string Janitor = "docs/runbooks/Invoke-FoundryPrJanitor.ps1";

    private Dictionary<string, object?> Local(params (string Name, object? Value)[] extra)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["Cloud"] = "Local",
            ["EmulatorConnectionFile"] = Path.Combine(module.Folder, "connection.json"),
            ["PolicyPath"] = module.PolicyPath,
        };
        foreach (var (name, value) in extra) parameters[name] = value;
        return parameters;
    }

    [Fact]
    public void Scheduled_rotation_rotates_each_environment_and_fails_the_job_for_one_that_cannot_be_rotated()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment dev").Errors);
        var before = AccountKeys("oai-contoso-dev-");

        var run = HostedScript.Run(module.Runspace, Rotation, Local(("Environment", new[] { "dev", "pr-404" })));
        var objects = Outputs(run);
        Assert.Equal(new[] { "dev", "pr-404" }, objects.Select(o => (string)o.Properties["Environment"].Value));
        var dev = objects[0];
        Assert.Equal(("Rotated", "key1", "key2", "func-contoso-dev"), (Text(dev, "Status"), Text(dev, "PreviousKeySlot"), Text(dev, "NewKeySlot"), Text(dev, "AppsConfirmed")));
        var after = AccountKeys("oai-contoso-dev-");
        Assert.Equal(before.Key1, after.Key1);
        Assert.NotEqual(before.Key2, after.Key2);

        var missing = objects[1];
        Assert.Equal("Failed", Text(missing, "Status"));
        Assert.False(string.IsNullOrEmpty(Text(missing, "ErrorId")));
        Assert.NotNull(run.Terminating);
        Assert.Contains("1 of 2 key rotations did not complete", run.Terminating!.Exception.Message);
        foreach (var item in objects) AssertRoundTrips(item);
        Assert.DoesNotContain(after.Key2[..12], string.Join("\n", objects.SelectMany(o => o.Properties.Select(p => p.Value?.ToString()))));
    }

    [Fact]
    public void The_janitor_removes_closed_and_aged_pr_environments_and_keeps_open_ones_and_the_rest()
    {
        foreach (var name in new[] { "pr-101", "pr-102", "pr-103", "staging" }) Assert.Empty(module.Invoke($"New-FoundryEnvironment -Environment {name}").Errors);
        var tenDaysAgo = DateTimeOffset.UtcNow.AddDays(-10).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        lock (module.Host.Cloud.Sync)
        {
            var group = module.Host.Cloud.State.Resources.Values.Single(r => r.Id.EndsWith("/resourceGroups/rg-contoso-pr-101", StringComparison.OrdinalIgnoreCase));
            Assert.Matches("^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$", group.Tags!["foundry-created-at"]);
            group.Tags["foundry-created-at"] = tenDaysAgo;
        }

        var dry = Outputs(HostedScript.Run(module.Runspace, Janitor, Local(("OpenPullRequest", new[] { 101, 102 }), ("MaxAgeDays", 7), ("DryRun", true))));
        Assert.Equal(new[] { "pr-101:WouldRemove:OlderThanMaxAge", "pr-102:Kept:Open", "pr-103:WouldRemove:PullRequestClosed" }, dry.Select(Summary));
        Assert.True(CountOf("pr-101") > 0 && CountOf("pr-103") > 0, "the dry run removed something");

        var run = HostedScript.Run(module.Runspace, Janitor, Local(("OpenPullRequest", new[] { 101, 102 }), ("MaxAgeDays", 7)));
        Assert.Null(run.Terminating);
        var decisions = Outputs(run);
        Assert.Equal(new[] { "pr-101:Removed:OlderThanMaxAge", "pr-102:Kept:Open", "pr-103:Removed:PullRequestClosed" }, decisions.Select(Summary));
        Assert.Equal("Verified", Text(decisions[0], "CleanupStatus"));
        Assert.True((int)decisions[2].Properties["ResourcesDeleted"].Value > 0);
        Assert.Equal(DateTime.Parse(tenDaysAgo, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), (DateTime)decisions[0].Properties["CreatedAt"].Value);
        foreach (var item in decisions) AssertRoundTrips(item);

        Assert.Equal(0, CountOf("pr-101"));
        Assert.Equal(0, CountOf("pr-103"));
        Assert.True(CountOf("pr-102") > 0);
        Assert.True(CountOf("staging") > 0);
    }

    [Fact]
    public void The_janitor_without_a_criterion_refuses_before_connecting()
    {
        var mark = module.Host.Cloud.Log.All.Count;
        var run = HostedScript.Run(module.Runspace, Janitor, Local());
        Assert.Equal("JanitorCriteriaRequired", run.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(mark, module.Host.Cloud.Log.All.Count);
    }

    private static List<PSObject> Outputs(HostedScript.Outcome run) => run.Objects.ToList();

    private static string Text(PSObject item, string name) => item.Properties[name].Value?.ToString() ?? "";

    private static string Summary(PSObject item) => $"{Text(item, "Environment")}:{Text(item, "Decision")}:{Text(item, "Reason")}";

    /// <summary>What Automation does with output: CliXml. Every property must come back with its value and type.</summary>
    private static void AssertRoundTrips(PSObject item)
    {
        var back = (PSObject)PSSerializer.Deserialize(PSSerializer.Serialize(item));
        foreach (var property in item.Properties)
        {
            var copy = back.Properties[property.Name].Value;
            Assert.Equal(property.Value?.GetType(), copy?.GetType());
            Assert.Equal(property.Value, copy);
        }
    }

    private int CountOf(string environment)
    {
        lock (module.Host.Cloud.Sync)
        {
            return module.Host.Cloud.State.Resources.Values.Count(r => r.Tags is not null && r.Tags.TryGetValue("foundry-env", out var env) && env == environment);
        }
    }

    private (string Key1, string Key2) AccountKeys(string accountPrefix)
    {
        lock (module.Host.Cloud.Sync)
        {
            var keys = module.Host.Cloud.State.AccountKeys.Single(k => k.Key.Contains(accountPrefix, StringComparison.OrdinalIgnoreCase)).Value;
            return (keys.Key1, keys.Key2);
        }
    }
}
