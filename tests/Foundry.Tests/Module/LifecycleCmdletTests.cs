using System.Management.Automation;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>up / rotate / down as an operator runs them, through the real PowerShell engine against the local cloud.</summary>
[Collection(ModuleCollection.Name)]
public sealed class LifecycleCmdletTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    [Fact]
    public void WhatIf_outputs_the_plan_and_makes_no_write_then_up_converges_and_a_re_run_writes_nothing()
    {
        var mark = module.Host.Cloud.Log.All.Count;
        var plan = module.Invoke("New-FoundryEnvironment -Environment staging -WhatIf");
        Assert.Empty(plan.Errors);
        var changes = plan.Objects("FoundryPlannedChange").Select(c => (Action: ModuleRunspace.Prop<string>(c, "Action"), Type: ModuleRunspace.Prop<string>(c, "ResourceType"), Reason: ModuleRunspace.Prop<string>(c, "Reason"))).ToList();
        Assert.Contains(changes, c => c.Action == "Create" && c.Type == "Microsoft.CognitiveServices/accounts");
        Assert.Contains(changes, c => c.Type == "Microsoft.KeyVault/vaults/secrets" && c.Reason.Contains("key1"));
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));

        var up = module.Invoke($"New-FoundryEnvironment -Environment staging -AuditLogPath '{module.AuditPath}'");
        Assert.Empty(up.Errors);
        var environment = Assert.Single(up.Objects("FoundryEnvironment"));
        var app = PSObject.AsPSObject(Assert.Single(ModuleRunspace.Prop<object[]>(environment, "Apps")));
        Assert.Equal("Resolved", ModuleRunspace.Prop<string>(app, "ReferenceStatus"));
        Assert.Equal("key1", ModuleRunspace.Prop<string>(environment, "ActiveKeySlot"));
        Assert.Contains(up.Streams.Information, i => i.Tags.Contains("Audit"));
        Assert.Contains("\"environment\":\"staging\"", File.ReadAllText(module.AuditPath));

        mark = module.Host.Cloud.Log.All.Count;
        var again = module.Invoke("New-FoundryEnvironment -Environment staging");
        Assert.Empty(again.Errors);
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));

        var read = module.Invoke("Get-FoundryEnvironment -Environment staging");
        Assert.Equal(ModuleRunspace.Prop<string>(environment, "ResourceId"), ModuleRunspace.Prop<string>(Assert.Single(read.Objects("FoundryEnvironment")), "ResourceId"));
    }

    [Fact]
    public void Rotation_and_the_guard_surface_as_objects_and_stable_error_ids()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment dev").Errors);
        var rotation = module.Invoke("Invoke-FoundryKeyRotation -Environment dev");
        Assert.Empty(rotation.Errors);
        var record = Assert.Single(rotation.Objects("FoundryKeyRotation"));
        Assert.Equal(("key1", "key2"), (ModuleRunspace.Prop<string>(record, "PreviousKeySlot"), ModuleRunspace.Prop<string>(record, "NewKeySlot")));
        Assert.Equal(new[] { "func-contoso-dev" }, ModuleRunspace.Prop<string[]>(record, "AppsConfirmed"));

        var blocked = module.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "POST", PathPattern = "func-contoso-dev/config/configreferences/appsettings/refresh$", Status = 503, Code = "ServiceUnavailable",
        });
        var pending = module.Invoke("Invoke-FoundryKeyRotation -Environment dev");
        Assert.Contains(pending.Errors, e => e.FullyQualifiedErrorId.StartsWith("RotationPendingOnApp", StringComparison.Ordinal));
        var refused = module.Invoke("Invoke-FoundryKeyRotation -Environment dev");
        var error = Assert.Single(refused.Errors);
        Assert.Equal("KeyRotationUnsafe,Foundry.Commands.InvokeFoundryKeyRotationCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
        Assert.StartsWith("/subscriptions/", (string)error.TargetObject);
        Assert.Contains("-Force", error.ErrorDetails.RecommendedAction);
        module.Host.Cloud.Faults.Remove(blocked.Id);
        Assert.Empty(module.Invoke("Invoke-FoundryKeyRotation -Environment dev -Force").Errors);
    }

    [Fact]
    public void Down_removes_the_pr_environment_and_verifies_and_managed_resources_pipe_into_Az_style_parameters()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-42").Errors);
        // A stand-in with Remove-AzResource's binding: -ResourceId by property name.
        var piped = module.Invoke("""
            function Remove-AzResourceStub { [CmdletBinding(SupportsShouldProcess)] param([Parameter(Mandatory, ValueFromPipelineByPropertyName)][Alias('Id')][string] $ResourceId) process { $ResourceId } }
            Get-FoundryManagedResource -Environment pr-42 | Remove-AzResourceStub -WhatIf
            """);
        Assert.Empty(piped.Errors);
        var ids = piped.Output.Select(o => o.ToString()).ToList();
        Assert.Contains(ids, id => id.EndsWith("/resourceGroups/rg-contoso-pr-42", StringComparison.Ordinal));
        Assert.Contains(ids, id => id.Contains("/Microsoft.CognitiveServices/accounts/oai-contoso-pr-42-", StringComparison.Ordinal));

        var down = module.Invoke("Remove-FoundryEnvironment -Environment pr-42 -Confirm:$false");
        Assert.Empty(down.Errors);
        var report = Assert.Single(down.Objects("FoundryCleanupReport"));
        Assert.Equal("Verified", ModuleRunspace.Prop<string>(report, "Status"));
        // Get-FoundryManagedResource lists what Resource Graph shows, which follows deletes seconds later in Azure (and
        // under the realistic profile): the verification above read Resource Manager; the listing empties in its time.
        var listing = System.Diagnostics.Stopwatch.StartNew();
        while (module.Invoke("Get-FoundryManagedResource -Environment pr-42").Output.Count > 0 && listing.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(100);
        Assert.Empty(module.Invoke("Get-FoundryManagedResource -Environment pr-42").Output);
        Assert.Equal("Verified", ModuleRunspace.Prop<string>(Assert.Single(module.Invoke("Test-FoundryCleanup -Environment pr-42").Objects("FoundryCleanupReport")), "Status"));
    }

    [Fact]
    public void The_environment_binds_from_the_pipeline_by_property_name_and_every_progress_activity_completes()
    {
        var up = module.Invoke("[pscustomobject]@{ Environment = 'pr-77' } | New-FoundryEnvironment");
        Assert.Empty(up.Errors);
        Assert.Equal("pr-77", ModuleRunspace.Prop<string>(Assert.Single(up.Objects("FoundryEnvironment")), "Environment"));
        Assert.NotEmpty(up.Streams.Progress);
        Assert.All(up.Streams.Progress.GroupBy(p => p.ActivityId), activity => Assert.Equal(ProgressRecordType.Completed, activity.Last().RecordType));

        var rotation = module.Invoke("Get-FoundryEnvironment -Environment pr-77 | Invoke-FoundryKeyRotation");
        Assert.Empty(rotation.Errors);
        Assert.Equal("pr-77", ModuleRunspace.Prop<string>(Assert.Single(rotation.Objects("FoundryKeyRotation")), "Environment"));

        var down = module.Invoke("Get-FoundryEnvironment -Environment pr-77 | Remove-FoundryEnvironment -Confirm:$false");
        Assert.Empty(down.Errors);
        Assert.Equal("Verified", ModuleRunspace.Prop<string>(Assert.Single(down.Objects("FoundryCleanupReport")), "Status"));
        Assert.All(down.Streams.Progress.GroupBy(p => p.ActivityId), activity => Assert.Equal(ProgressRecordType.Completed, activity.Last().RecordType));
    }

    public static TheoryData<string> BadNames => new()
    {
        "PR-1", "pr-", "pr-1a", "dev;x", "ｄｅｖ", "dév", "pr-١٢", "pr-1\n", "dev\n", new string('a', 300), "pr-" + new string('1', 297),
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Bad_environment_names_are_refused_with_EnvironmentNameInvalid_before_any_call(string name)
    {
        var mark = module.Host.Cloud.Log.All.Count;
        foreach (var command in new[] { "New-FoundryEnvironment", "Get-FoundryEnvironment", "Invoke-FoundryKeyRotation", "Remove-FoundryEnvironment -Confirm:$false",
                                        "Get-FoundryManagedResource", "Remove-FoundryManagedResource -Confirm:$false", "Test-FoundryCleanup",
                                        "Test-FoundryEnvironment", "Repair-FoundryEnvironment" })
        {
            var result = module.Invoke($"{command} -Environment $name", new Dictionary<string, object?> { ["name"] = name });
            // The policy's environmentNamePattern decides, with a Foundry error id (issue 14 item 4).
            Assert.True(result.Errors.Count == 1 && result.Errors[0].FullyQualifiedErrorId.StartsWith("EnvironmentNameInvalid,", StringComparison.Ordinal), $"{command} accepted '{name}'");
        }
        Assert.Equal(mark, module.Host.Cloud.Log.All.Count);
    }

    [Fact]
    public void An_invalid_policy_is_reported_with_its_field_before_any_call()
    {
        var bad = Path.Combine(module.Folder, "bad.policy.json");
        File.WriteAllText(bad, ModuleRunspace.Policy(module.Host.DefaultSubscription).Replace("\"capacity\": 10", "\"capacity\": 0"));
        var mark = module.Host.Cloud.Log.All.Count;
        var result = module.Invoke($"New-FoundryEnvironment -Environment dev -PolicyPath '{bad}'");
        var error = Assert.Single(result.Errors);
        Assert.Equal("PolicyInvalid,Foundry.Commands.NewFoundryEnvironmentCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("defaults.deployments[0].capacity", error.Exception.Message);
        Assert.Equal(mark, module.Host.Cloud.Log.All.Count);
    }
}
