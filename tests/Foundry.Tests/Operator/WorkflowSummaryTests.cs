using System.Collections;
using Foundry.Tests.Support;

namespace Foundry.Tests.Operator;

/// <summary>
/// The workflow's job step (Invoke-FoundryAction.ps1, which renders through Write-FoundrySummary.ps1) run in the hosted
/// engine against the local cloud: the job summary's tables, the error annotations, and no key anywhere.
/// </summary>
[Collection(Foundry.Tests.Module.ModuleCollection.Name)]
public sealed class WorkflowSummaryTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private const string Action = ".github/scripts/Invoke-FoundryAction.ps1";
    private const string Summary = ".github/scripts/Write-FoundrySummary.ps1";

    private Hashtable Connection => new()
    {
        ["Cloud"] = "Local",
        ["EmulatorConnectionFile"] = Path.Combine(module.Folder, "connection.json"),
        ["PolicyPath"] = module.PolicyPath,
    };

    private (HostedScript.Outcome Outcome, string Markdown) RunJob(string action, string environment)
    {
        var summary = Path.Combine(module.Folder, $"summary-{Guid.NewGuid():n}.md");
        var outcome = HostedScript.Run(module.Runspace, Action, new Dictionary<string, object?>
        {
            ["Action"] = action, ["Environment"] = environment, ["Connection"] = Connection, ["SummaryPath"] = summary,
        });
        return (outcome, File.Exists(summary) ? File.ReadAllText(summary) : "");
    }

    [Fact]
    public void Up_rotate_and_down_write_what_changed_as_markdown_tables_with_no_key_and_no_annotation()
    {
        var (up, upSummary) = RunJob("up", "pr-71");
        Assert.True(up.ExitCode == 0 && up.Terminating is null, string.Join("\n", up.Lines) + upSummary);
        Assert.DoesNotContain(up.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
        var account = ResourceIds().Single(id => id.Contains("/accounts/oai-contoso-pr-71", StringComparison.OrdinalIgnoreCase) && !id.Contains("/deployments/", StringComparison.OrdinalIgnoreCase));

        Assert.StartsWith("### Foundry `up` on `pr-71`: succeeded", upSummary);
        Assert.Contains("| Step | Resource | Result | Detail |\n|---|---|---|---|\n", upSummary.ReplaceLineEndings("\n"));
        var changeRows = Rows(upSummary, "| Step | Resource | Result | Detail |");
        Assert.Contains(changeRows, r => r[1].Equals(account, StringComparison.OrdinalIgnoreCase) && r[2] == "Succeeded");
        Assert.Contains(changeRows, r => r[1].EndsWith("/resourceGroups/rg-contoso-pr-71", StringComparison.OrdinalIgnoreCase));
        var properties = Rows(upSummary, "| Property | Value |").ToDictionary(r => r[0], r => r[1]);
        Assert.Equal("gpt-4o", properties["Deployments"]);
        Assert.Equal("key1", properties["Active key slot"]);
        Assert.Equal("func-contoso-pr: Resolved", properties["Apps"]);

        var (rotate, rotateSummary) = RunJob("rotate-key", "pr-71");
        Assert.True(rotate.ExitCode == 0 && rotate.Terminating is null, string.Join("\n", rotate.Lines) + rotateSummary);
        var rotation = Rows(rotateSummary, "| Property | Value |").ToDictionary(r => r[0], r => r[1]);
        Assert.Equal("key1 -> key2", rotation["Key slot"]);
        Assert.Equal("func-contoso-pr", rotation["Apps confirmed"]);
        Assert.Contains(Rows(rotateSummary, "| Step | Resource | Result | Detail |"), r => r[1].Equals(account, StringComparison.OrdinalIgnoreCase) && r[2] == "Succeeded");

        var keys = Keys();
        var (down, downSummary) = RunJob("down", "pr-71");
        Assert.True(down.ExitCode == 0 && down.Terminating is null, string.Join("\n", down.Lines) + downSummary);
        Assert.Contains("**Cleanup of `pr-71`: Verified", downSummary);
        Assert.Contains(Rows(downSummary, "| Resource | Type | Status | Attempts |"), r => r[0].Equals(account, StringComparison.OrdinalIgnoreCase) && r[1] == "Microsoft.CognitiveServices/accounts");
        Assert.DoesNotContain(ResourceIds(), id => id.Contains("pr-71", StringComparison.OrdinalIgnoreCase));

        AssertNoKeyIn(keys, upSummary + rotateSummary + downSummary + string.Join("\n", up.Lines.Concat(rotate.Lines).Concat(down.Lines)));
    }

    [Fact]
    public void A_failed_up_is_an_error_annotation_with_id_message_and_recommended_action_and_the_job_fails()
    {
        var quota = $"{module.Host.DefaultSubscription}/{{0}}/OpenAI.GlobalStandard.gpt-4o".ToLowerInvariant();
        lock (module.Host.Cloud.Sync)
        {
            module.Host.Cloud.State.QuotaLimits[string.Format(quota, "eastus")] = 5;
            module.Host.Cloud.State.QuotaLimits[string.Format(quota, "swedencentral")] = 5;
        }
        try
        {
            var (up, summary) = RunJob("up", "pr-72");
            Assert.Equal(1, up.ExitCode);
            var annotation = Assert.Single(up.Lines, l => l.StartsWith("::error", StringComparison.Ordinal));
            Assert.StartsWith("::error title=QuotaExhausted::", annotation);
            Assert.Contains("has 5 free of 5 (needs 10)", annotation);
            Assert.Matches(" \u2014 .*fallback location", annotation);
            Assert.StartsWith("### Foundry `up` on `pr-72`: failed (1 error)", summary);
            var error = Assert.Single(Rows(summary, "| Error id | Category | Target | Message | Recommended action |"));
            Assert.Equal(("QuotaExhausted", "QuotaExceeded"), (error[0], error[1]));
            // No account was created, so there is no key of pr-72 that could leak.
        }
        finally
        {
            lock (module.Host.Cloud.Sync) module.Host.Cloud.State.QuotaLimits.Clear();
        }
    }

    [Fact]
    public void Annotations_escape_workflow_command_characters_and_a_refused_confirmation_names_the_switch()
    {
        // A real ErrorRecord: Remove-FoundryEnvironment without -Confirm:$false in a host that cannot prompt.
        var summary = Path.Combine(module.Folder, $"summary-{Guid.NewGuid():n}.md");
        var result = module.Invoke($$"""
            $refused = $null
            try { Remove-FoundryEnvironment -Environment pr-73 } catch { $refused = $_ }
            $odd = [System.Management.Automation.ErrorRecord]::new([System.Exception]::new("50% done`r`nthen: stopped"), 'Odd:Id%', 'NotSpecified', $null)
            & '{{HostedScript.PathOf(Summary)}}' -Action down -Environment pr-73 -ErrorRecord @($refused, $odd) -SummaryPath '{{summary}}'
            """);
        Assert.Empty(result.Errors);
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("::error title=ConfirmationRequired::Remove-FoundryEnvironment needs confirmation", lines[0]);
        Assert.EndsWith("\u2014 Pass -Confirm:$false to run Remove-FoundryEnvironment unattended (CI, runbooks), or -WhatIf to see the plan; or run it in an interactive session.", lines[0]);
        Assert.Equal("::error title=Odd%3AId%25::50%25 done%0D%0Athen: stopped", lines[1]);
        var markdown = File.ReadAllText(summary);
        Assert.Contains("| Odd:Id% | NotSpecified |  | 50% done<br>then: stopped |  |", markdown);
    }

    private List<string> ResourceIds()
    {
        lock (module.Host.Cloud.Sync) return module.Host.Cloud.State.Resources.Values.Select(r => r.Id).ToList();
    }

    private List<string> Keys()
    {
        lock (module.Host.Cloud.Sync)
        {
            return module.Host.Cloud.State.AccountKeys.Values.Concat(module.Host.Cloud.State.DeletedAccounts.Values.Select(d => d.Keys))
                .SelectMany(k => new[] { k.Key1, k.Key2 }).ToList();
        }
    }

    private static void AssertNoKeyIn(List<string> keys, string text)
    {
        Assert.NotEmpty(keys);
        var leaks = keys.SelectMany(key => Enumerable.Range(0, key.Length - 7).Select(i => key.Substring(i, 8))).Where(f => text.Contains(f, StringComparison.Ordinal)).ToList();
        Assert.Empty(leaks);
    }

    /// <summary>The body rows of the markdown table under a header line, as cells (pipes inside cells are escaped).</summary>
    private static List<string[]> Rows(string markdown, string header)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var rows = new List<string[]>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i] != header) continue;
            for (var j = i + 2; j < lines.Length && lines[j].StartsWith('|'); j++)
            {
                rows.Add(System.Text.RegularExpressions.Regex.Split(lines[j].Trim().Trim('|'), @"(?<!\\)\|").Select(c => c.Trim().Replace("\\|", "|")).ToArray());
            }
        }
        return rows;
    }
}
