using System.Management.Automation.Runspaces;
using Foundry.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Foundry.Tests.Operator;

/// <summary>
/// .github/workflows/foundry.yml read as YAML (triggers, permissions, concurrency, step order), and its scripts run in
/// the hosted PowerShell engine exactly as the workflow runs them.
/// </summary>
[Collection(Foundry.Tests.Module.ModuleCollection.Name)]
public sealed class WorkflowTests(ScriptRunspace scripts) : IClassFixture<ScriptRunspace>
{
    private const string Validate = ".github/scripts/Assert-FoundryEnvironmentName.ps1";
    private const string Plan = ".github/scripts/Get-FoundryJobPlan.ps1";
    private static readonly YamlMappingNode Workflow = Load(".github/workflows/foundry.yml");
    private readonly Runspace runspace = scripts.Runspace;

    [Fact]
    public void Dispatch_offers_the_three_actions_as_a_choice_and_env_as_a_required_string()
    {
        var inputs = Map(Workflow, "on", "workflow_dispatch", "inputs");
        Assert.Equal(new[] { "action", "env" }, inputs.Children.Keys.Select(k => k.ToString()).Order());
        Assert.Equal("choice", Text(inputs, "action", "type"));
        Assert.Equal(new[] { "up", "down", "rotate-key" }, Seq(inputs, "action", "options"));
        Assert.Equal("string", Text(inputs, "env", "type"));
        Assert.Equal("true", Text(inputs, "env", "required"));
    }

    [Fact]
    public void Permissions_are_an_OIDC_token_and_read_access_only()
    {
        var permissions = Map(Workflow, "permissions");
        Assert.Equal("write", Text(permissions, "id-token"));
        Assert.Equal("read", Text(permissions, "contents"));
        var granted = new List<(string Scope, string Level)>(permissions.Children.Select(p => (p.Key.ToString(), p.Value.ToString())));
        foreach (var job in Jobs())
        {
            if (job.Value is YamlMappingNode body && body.Children.TryGetValue("permissions", out var own))
            {
                Assert.IsType<YamlMappingNode>(own);
                granted.AddRange(((YamlMappingNode)own).Children.Select(p => (p.Key.ToString(), p.Value.ToString())));
            }
        }
        Assert.DoesNotContain(granted, g => g.Level is "write-all" || (g.Level == "write" && g.Scope != "id-token"));
    }

    [Fact]
    public void Concurrency_is_one_run_per_environment_and_never_cancels_one_in_progress()
    {
        var job = Map(Workflow, "jobs", "foundry");
        Assert.Equal("foundry-${{ matrix.env }}", Text(job, "concurrency", "group"));
        Assert.Equal("false", Text(job, "concurrency", "cancel-in-progress"));
        // The group's key is the environment the job acts on, and nothing else picks the environment.
        Assert.Equal("${{ matrix.env }}", Text(job, "env", "FOUNDRY_ENVIRONMENT"));
        Assert.Equal("${{ fromJSON(needs.plan.outputs.matrix) }}", Text(job, "strategy", "matrix"));
        Assert.Equal("false", Text(job, "strategy", "fail-fast"));
    }

    [Fact]
    public void A_closed_pull_request_downs_its_pr_environment_and_a_schedule_runs_rotation_and_drift()
    {
        Assert.Equal(new[] { "closed" }, Seq(Workflow, "on", "pull_request", "types"));
        var cron = Assert.Single(Assert.IsType<YamlSequenceNode>(At(Workflow, "on", "schedule")).Children.Select(c => Text(c, "cron")));
        Assert.Equal(5, cron.Split(' ').Length);
        var validate = Steps("plan").Single(s => Text(s, "id") == "validate");
        Assert.Contains("format('pr-{0}', github.event.pull_request.number)", Text(validate, "env", "FOUNDRY_ENV_INPUT"));

        var action = File.ReadAllText(HostedScript.PathOf(".github/scripts/Invoke-FoundryAction.ps1"));
        Assert.Contains("Test-FoundryEnvironment -Environment $environment", action);
        foreach (var cmdlet in new[] { "New-FoundryEnvironment", "Invoke-FoundryKeyRotation", "Remove-FoundryEnvironment -Environment $environment -Confirm:$false" }) Assert.Contains(cmdlet, action);
    }

    [Fact]
    public void Every_job_validates_the_name_before_any_Azure_login_or_Foundry_command()
    {
        foreach (var job in Jobs().Select(j => j.Key.ToString()))
        {
            var steps = Steps(job);
            var validation = steps.FindIndex(s => Run(s).Contains("Assert-FoundryEnvironmentName.ps1", StringComparison.Ordinal));
            var azure = steps.FindIndex(ReachesAzure);
            Assert.True(validation >= 0, $"job {job} validates no environment name");
            Assert.True(azure == -1 || validation < azure, $"job {job} reaches Azure (step {azure}) before it validates (step {validation})");
        }
        var foundry = Steps("foundry");
        Assert.Contains("Invoke-FoundryAction.ps1", Run(foundry.Last()));
        // The module comes from this commit: built, then imported from out/Foundry by the action script.
        Assert.True(foundry.FindIndex(s => Run(s).StartsWith("dotnet build", StringComparison.Ordinal)) is var build && build >= 0 && build < foundry.Count - 1);
        Assert.Contains("'out', 'Foundry', 'Foundry.psd1'", File.ReadAllText(HostedScript.PathOf(".github/scripts/Invoke-FoundryAction.ps1")));
    }

    [Fact]
    public void Foundry_signs_in_itself_with_the_job_s_OIDC_and_no_azure_login_token_hand_off()
    {
        // azure/login hands Az PowerShell one ID token; a long up then fails with AADSTS700024 when Entra needs a new token.
        Assert.DoesNotContain(Jobs().SelectMany(j => Steps(j.Key.ToString())), s => Text(s, "uses").StartsWith("azure/login@", StringComparison.Ordinal));
        var job = At(Workflow, "jobs", "foundry")!;
        Assert.Equal("write", Text(Workflow, "permissions", "id-token"));
        Assert.Equal("${{ vars.AZURE_CLIENT_ID }}", Text(job, "env", "AZURE_CLIENT_ID"));
        Assert.Equal("${{ vars.AZURE_TENANT_ID }}", Text(job, "env", "AZURE_TENANT_ID"));
        Assert.Equal("", Text(job, "env", "AZURE_CLIENT_SECRET"));
        var action = File.ReadAllText(HostedScript.PathOf(".github/scripts/Invoke-FoundryAction.ps1"));
        Assert.Contains("[hashtable] $Connection = @{}", action, StringComparison.Ordinal);
    }

    [Fact]
    public void No_run_script_has_an_expression_pasted_into_its_text()
    {
        // ${{ inputs.env }} inside run: would be script injection; values reach scripts through env: only.
        var runs = Jobs().SelectMany(j => Steps(j.Key.ToString())).Select(Run).Where(r => r.Length > 0).ToList();
        Assert.NotEmpty(runs);
        Assert.DoesNotContain(runs, r => r.Contains("${{", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("staging")]
    [InlineData("pr-1")]
    [InlineData("pr-123")]
    public void The_validation_script_accepts_a_good_name_and_agrees_with_the_module(string name)
    {
        var output = Path.Combine(Path.GetTempPath(), "gh-output-" + Guid.NewGuid().ToString("n"));
        try
        {
            var result = HostedScript.Run(runspace, Validate, new Dictionary<string, object?> { ["Name"] = name, ["OutputPath"] = output });
            Assert.Null(result.Terminating);
            Assert.Equal(new[] { name }, result.Lines);
            Assert.Equal($"environment={name}\n", File.ReadAllText(output));
            Assert.True(ModuleAccepts(name));
        }
        finally
        {
            File.Delete(output);
        }
    }

    public static TheoryData<string> BadNames() => new() { "PR-1", "pr-", "pr-1a", "dev;x", "prod", "", new string('a', 300), "ｄｅｖ", "dev\n", "pr-１２", "pr-12345678", " dev" };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void The_validation_script_refuses_a_bad_name_with_an_annotation_and_agrees_with_the_module(string name)
    {
        var result = HostedScript.Run(runspace, Validate, new Dictionary<string, object?> { ["Name"] = name, ["OutputPath"] = "" });
        Assert.NotNull(result.Terminating);
        Assert.Equal("InvalidEnvironmentName", result.Terminating!.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, result.Terminating.CategoryInfo.Category);
        var annotation = Assert.Single(result.Lines);
        Assert.StartsWith("::error title=InvalidEnvironmentName::", annotation);
        Assert.True(annotation.Length < 250 && !annotation.Contains('\n'), annotation);
        Assert.False(ModuleAccepts(name));
    }

    [Fact]
    public void The_plan_maps_each_event_to_its_jobs_and_refuses_a_bad_name()
    {
        string PlanOf(string eventName, string action, string environment) =>
            Assert.Single(HostedScript.Run(runspace, Plan, new Dictionary<string, object?> { ["EventName"] = eventName, ["Action"] = action, ["Environment"] = environment, ["OutputPath"] = "" }).Lines);

        Assert.Equal("""{"include":[{"action":"scheduled","env":"dev"},{"action":"scheduled","env":"staging"}]}""", PlanOf("schedule", "", ""));
        Assert.Equal("""{"include":[{"action":"down","env":"pr-42"}]}""", PlanOf("pull_request", "", "pr-42"));
        Assert.Equal("""{"include":[{"action":"rotate-key","env":"staging"}]}""", PlanOf("workflow_dispatch", "rotate-key", "staging"));
        foreach (var (eventName, action, environment) in new[] { ("workflow_dispatch", "up", "prod"), ("workflow_dispatch", "destroy", "dev"), ("pull_request", "", "pr-"), ("push", "", "dev") })
        {
            var refused = HostedScript.Run(runspace, Plan, new Dictionary<string, object?> { ["EventName"] = eventName, ["Action"] = action, ["Environment"] = environment, ["OutputPath"] = "" });
            Assert.True(refused.Terminating is not null && refused.Lines.All(l => !l.StartsWith("{", StringComparison.Ordinal)), $"{eventName} {action} {environment} was planned");
        }
        var badName = HostedScript.Run(runspace, Plan, new Dictionary<string, object?> { ["EventName"] = "workflow_dispatch", ["Action"] = "up", ["Environment"] = "prod", ["OutputPath"] = "" });
        Assert.Equal("InvalidEnvironmentName", badName.Terminating?.FullyQualifiedErrorId.Split(',')[0]);
    }

    private bool ModuleAccepts(string name)
    {
        // The module's rule is the policy's environmentNamePattern (issue 14 item 4), checked before any Azure call: a
        // name it accepts goes on to the policy lookup, which fails (EnvironmentNotInPolicy, still before any call) in a
        // policy whose only entry is a template no accepted name matches.
        var policy = Path.Combine(Path.GetTempPath(), "foundry-names-" + Guid.NewGuid().ToString("n") + ".json");
        File.WriteAllText(policy, ModuleRunspace.Policy("00000000-0000-4000-8000-000000000001").Replace("\"pr-*\"", "\"zz-*\"", StringComparison.Ordinal)
            .Replace("\"dev\": { \"apps\": [ { \"name\": \"func-contoso-dev\", \"resourceGroup\": \"rg-apps\" } ] },", "", StringComparison.Ordinal)
            .Replace("\"staging\": { \"apps\": [ { \"name\": \"func-contoso-staging\", \"resourceGroup\": \"rg-apps\" } ] },", "", StringComparison.Ordinal));
        try
        {
            using var powershell = System.Management.Automation.PowerShell.Create(runspace);
            powershell.AddScript("""
                param($name, $policy)
                Remove-FoundryEnvironment -Environment $name -PolicyPath $policy -WhatIf -ErrorAction SilentlyContinue -ErrorVariable failed 6>$null
                @($failed)[0].FullyQualifiedErrorId
                """).AddArgument(name).AddArgument(policy);
            var errorId = powershell.Invoke().Select(o => o?.ToString()).LastOrDefault() ?? "";
            Assert.True(errorId.StartsWith("EnvironmentNotInPolicy,", StringComparison.Ordinal) || errorId.StartsWith("EnvironmentNameInvalid,", StringComparison.Ordinal) ||
                errorId.StartsWith("ParameterArgument", StringComparison.Ordinal), errorId);
            return errorId.StartsWith("EnvironmentNotInPolicy,", StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(policy);
        }
    }

    private static YamlMappingNode Load(string relative)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(HostedScript.PathOf(relative))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<KeyValuePair<YamlNode, YamlNode>> Jobs() => Map(Workflow, "jobs").Children;

    private static List<YamlNode> Steps(string job) => ((YamlSequenceNode)At(Workflow, "jobs", job, "steps")!).Children.ToList();

    private static string Run(YamlNode step) => Text(step, "run");

    private static bool ReachesAzure(YamlNode step) => Text(step, "uses").StartsWith("azure/", StringComparison.Ordinal)
        || new[] { "Invoke-FoundryAction.ps1", "Connect-Foundry", "Import-Module", "Connect-Az", "az " }.Any(marker => Run(step).Contains(marker, StringComparison.Ordinal));

    private static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }
        return node;
    }

    private static YamlMappingNode Map(YamlNode node, params string[] path) => Assert.IsType<YamlMappingNode>(At(node, path));

    private static string Text(YamlNode node, params string[] path) => At(node, path) is YamlScalarNode scalar ? scalar.Value ?? "" : "";

    private static string[] Seq(YamlNode node, params string[] path) => Assert.IsType<YamlSequenceNode>(At(node, path)).Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToArray();
}
