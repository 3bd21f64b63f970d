using System.Management.Automation;
using System.Text.RegularExpressions;
using Foundry.Tests.Module;
using Foundry.Tests.Support;

namespace Foundry.Tests.Operator;

/// <summary>A local cloud with dev and pr-7 stood up, and the Az stand-ins (AzCmdletStubs.ps1) defined in the runspace.</summary>
public sealed class OperatorRunspace : IAsyncLifetime
{
    public ModuleRunspace Module { get; } = new();

    public async Task InitializeAsync()
    {
        await Module.InitializeAsync();
        var setup = Module.Invoke($". '{HostedScript.PathOf("tests/Foundry.Tests/Operator/AzCmdletStubs.ps1")}'; New-FoundryEnvironment -Environment dev; New-FoundryEnvironment -Environment pr-7");
        Assert.True(setup.Errors.Count == 0, string.Join("\n", setup.Errors));
    }

    public Task DisposeAsync() => Module.DisposeAsync();
}

/// <summary>
/// Issue 14 (Az-grade operator experience), through the real PowerShell engine: how Foundry's objects pipe into Az
/// cmdlets and into each other, -Environment conventions, -WhatIf plans, streams, paging, completion and -Force.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class OperatorExperienceTests(OperatorRunspace fixture) : IClassFixture<OperatorRunspace>
{
    private ModuleRunspace Module => fixture.Module;

    /// <summary>
    /// Item 1: every pairing docs/pipelines.md lists binds exactly the parameters it says, against stand-ins with the
    /// real Az parameter sets. (Before: the environment had Name = the account's name, so Remove-AzResourceGroup bound
    /// -Name to it; no VaultName; apps had no ResourceGroupName; rotation records no ResourceGroupName/AccountName.)
    /// </summary>
    [Theory]
    [InlineData("$environment", "Remove-AzResourceGroup", "RemoveByResourceGroupName", "Name=rg-contoso-dev")]
    [InlineData("$environment", "Get-AzCognitiveServicesAccountKey", "__AllParameterSets", "Name=oai-contoso-dev-*;ResourceGroupName=rg-contoso-dev")]
    [InlineData("$environment", "Get-AzResource", "ByResourceId", "ResourceId=*/providers/Microsoft.CognitiveServices/accounts/oai-contoso-dev-*")]
    [InlineData("$environment", "Remove-AzResource", "The resource Id.", "ResourceId=*/providers/Microsoft.CognitiveServices/accounts/oai-contoso-dev-*")]
    [InlineData("$environment.Apps", "Get-AzWebApp", "S1", "Name=func-contoso-dev;ResourceGroupName=rg-apps")]
    [InlineData("$rotation", "Get-AzCognitiveServicesAccountKey", "__AllParameterSets", "Name=oai-contoso-dev-*;ResourceGroupName=rg-contoso-dev")]
    [InlineData("$rotation", "Remove-AzResourceGroup", "RemoveByResourceGroupName", "Name=rg-contoso-dev")]
    [InlineData("$resources", "Remove-AzResource", "The resource Id.", "ResourceId=/subscriptions/*")]
    [InlineData("$resources", "Get-AzResource", "ByResourceId", "ResourceId=/subscriptions/*")]
    public void Output_objects_bind_Az_cmdlets_by_property_name_as_docs_pipelines_md_says(string source, string azCmdlet, string parameterSet, string expected)
    {
        var result = Module.Invoke($$"""
            $environment = Get-FoundryEnvironment dev
            $rotation = Get-Variable -Scope Global -Name FoundryTestRotation -ValueOnly -ErrorAction SilentlyContinue
            if (-not $rotation) { $rotation = Invoke-FoundryKeyRotation dev -Confirm:$false; Set-Variable -Scope Global -Name FoundryTestRotation -Value $rotation }
            $resources = Get-FoundryManagedResource -Environment dev -ResourceType Microsoft.KeyVault/vaults
            {{source}} | {{azCmdlet}}
            """);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var binding = Assert.Single(result.Output, o => o.Properties["Command"]?.Value as string == azCmdlet);
        Assert.Equal(parameterSet, binding.Properties["ParameterSet"].Value);
        var bound = ((PSObject)binding.Properties["Bound"].Value).Properties.ToDictionary(p => p.Name, p => p.Value?.ToString() ?? "");
        var wanted = expected.Split(';').Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(wanted.Keys.OrderBy(k => k), bound.Keys.OrderBy(k => k));
        foreach (var (name, pattern) in wanted) Assert.Matches("^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$", bound[name]);

        var docs = File.ReadAllText(HostedScript.PathOf("docs/pipelines.md"));
        Assert.Contains($"`{azCmdlet}`", docs, StringComparison.Ordinal);
    }

    /// <summary>Item 1: the rotation record and the plans carry the secret's address and full resource ids (before: only Target, a URI or a bare name).</summary>
    [Fact]
    public void Rotation_records_and_plans_carry_vault_secret_and_full_resource_ids()
    {
        var result = Module.Invoke("""
            $environment = Get-FoundryEnvironment dev
            [pscustomobject]@{ Vault = $environment.VaultName; Secret = $environment.SecretName }
            Invoke-FoundryKeyRotation dev -WhatIf
            Get-FoundryEnvironment dev | Invoke-FoundryKeyRotation -Confirm:$false | Select-Object VaultName, SecretName, AccountName, ResourceGroupName
            """);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var expected = result.Output[0];
        var vault = (string)expected.Properties["Vault"].Value;
        var plan = result.Objects("FoundryPlannedChange").ToList();
        Assert.NotEmpty(plan);
        Assert.All(plan, change => Assert.StartsWith("/subscriptions/", ModuleRunspace.Prop<string>(change, "ResourceId"), StringComparison.Ordinal));
        var secret = plan.Single(c => ModuleRunspace.Prop<string>(c, "ResourceType") == "Microsoft.KeyVault/vaults/secrets");
        Assert.EndsWith($"/providers/Microsoft.KeyVault/vaults/{vault}/secrets/{expected.Properties["Secret"].Value}", ModuleRunspace.Prop<string>(secret, "ResourceId"), StringComparison.Ordinal);
        var record = result.Output[^1];
        Assert.Equal(vault, record.Properties["VaultName"].Value);
        Assert.Equal("rg-contoso-dev", record.Properties["ResourceGroupName"].Value);
        Assert.StartsWith("oai-contoso-dev-", (string)record.Properties["AccountName"].Value, StringComparison.Ordinal);
    }

    /// <summary>
    /// Item 2: an environment's resources piped in run a command once per environment, and -Environment binds by value
    /// and by property name on every environment cmdlet (before: 2–3 objects per environment, three removals, and
    /// MissingMandatoryParameter / InputObjectNotBound).
    /// </summary>
    [Fact]
    public void Piped_resources_run_once_per_environment_and_Environment_binds_by_value_and_by_property_name()
    {
        var result = Module.Invoke("""
            $resources = @(Get-FoundryManagedResource -Environment pr-7)
            $resources.Count
            $distinct = @((Get-FoundryManagedResource).Environment | Sort-Object -Unique) -join ','
            ((@(Get-FoundryManagedResource | Get-FoundryEnvironment).Environment | Sort-Object) -join ',') -eq $distinct
            @(Get-FoundryManagedResource -Environment pr-7 | Remove-FoundryEnvironment -WhatIf).Count
            @(Get-FoundryEnvironment dev | Test-FoundryCleanup).Environment
            @('dev' | Test-FoundryEnvironment | Select-Object -ExpandProperty Environment -Unique)
            @('pr-7', 'dev' | Get-FoundryManagedResource | Select-Object -ExpandProperty Environment -Unique | Sort-Object) -join ','
            @('dev' | Invoke-FoundryKeyRotation -WhatIf).Count -gt 0
            @('dev' | Repair-FoundryEnvironment -WhatIf).Count -ge 0
            @(Get-FoundryEnvironment dev | New-FoundryEnvironment -WhatIf).Count -ge 0
            """);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var lines = result.Output.Select(o => o?.ToString()).ToList();
        Assert.True(int.Parse(lines[0]!) >= 3, $"pr-7 has {lines[0]} managed resources");
        Assert.Equal("True", lines[1]);
        Assert.Equal("1", lines[2]);
        Assert.Equal("dev", lines[3]);
        Assert.Equal("dev", lines[4]);
        Assert.Equal("dev,pr-7", lines[5]);
        Assert.Equal("True", lines[6]);
    }

    /// <summary>
    /// Item 3: Test-FoundryCleanup on a live environment counts what Get-FoundryManagedResource lists (groups included),
    /// and a failed verification is a failure (before: TotalExpected 2 of 3 listed, HasFailures False).
    /// </summary>
    [Fact]
    public void Test_FoundryCleanup_figures_match_the_managed_resources_and_a_failed_verification_has_failures()
    {
        var result = Module.Invoke("""
            @(Get-FoundryManagedResource -Environment pr-7).Count
            Test-FoundryCleanup -Environment pr-7
            """);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var listed = (int)result.Output[0].BaseObject;
        var report = Assert.Single(result.Objects("FoundryCleanupReport"));
        Assert.Equal("VerificationFailed", ModuleRunspace.Prop<string>(report, "Status"));
        Assert.Equal(listed, ModuleRunspace.Prop<int>(report, "TotalExpected"));
        Assert.Equal(listed, ModuleRunspace.Prop<int>(report, "TotalRemaining"));
        Assert.Equal(listed, ((Array)report.Properties["Remaining"].Value).Length);
        Assert.True(ModuleRunspace.Prop<bool>(report, "HasFailures"));
    }

    /// <summary>
    /// Item 4: -Environment is checked against the policy's environmentNamePattern with EnvironmentNameInvalid and a
    /// recommended action (before: the cmdlets' hard-coded pattern and PowerShell's raw ValidatePattern message).
    /// </summary>
    [Fact]
    public void Environment_names_follow_the_policy_pattern_and_fail_with_EnvironmentNameInvalid()
    {
        var narrow = Path.Combine(Module.Folder, "narrow.policy.json");
        File.WriteAllText(narrow, File.ReadAllText(Module.PolicyPath).Replace("\"app\": \"contoso\",", "\"app\": \"contoso\", \"environmentNamePattern\": \"^(dev|staging)$\",", StringComparison.Ordinal)
            .Replace("\"pr-*\"", "\"prx-*\"", StringComparison.Ordinal));
        var result = Module.Invoke($"""
            Get-FoundryEnvironment -Environment pr-7 -PolicyPath '{narrow}'
            Test-FoundryEnvironment -Environment 'dev;x'
            Get-FoundryManagedResource -Environment 'DEV'
            Get-FoundryEnvironment -Environment dev -PolicyPath '{narrow}' | Select-Object -ExpandProperty Environment
            """);
        Assert.Equal(3, result.Errors.Count);
        Assert.All(result.Errors, error =>
        {
            Assert.StartsWith("EnvironmentNameInvalid,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.False(string.IsNullOrWhiteSpace(error.ErrorDetails?.RecommendedAction));
        });
        Assert.Contains("^(dev|staging)$", result.Errors[0].ErrorDetails!.Message, StringComparison.Ordinal);
        Assert.Equal("dev", result.Output.Single().ToString());
    }

    /// <summary>Item 6: Invoke-FoundryKeyRotation -WhatIf outputs its plan (which key is regenerated) and changes nothing (before: no output).</summary>
    [Fact]
    public void Rotation_WhatIf_outputs_the_plan_and_changes_nothing()
    {
        var result = Module.Invoke("""
            $before = (Get-FoundryEnvironment dev).SecretVersion
            Invoke-FoundryKeyRotation -Environment dev -WhatIf
            (Get-FoundryEnvironment dev).SecretVersion -eq $before
            Invoke-FoundryKeyRotation -Environment dev -WhatIf | Format-Table | Out-String -Width 400
            Get-FoundryEnvironment dev | Format-Table | Out-String -Width 120
            """);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var plan = result.Objects("FoundryPlannedChange").ToList();
        var regenerate = plan.Single(c => ModuleRunspace.Prop<string>(c, "Action") == "Regenerate");
        Assert.Matches("^key[12] \\(inactive; key[12] stays valid\\)$", ModuleRunspace.Prop<string>(regenerate, "Reason"));
        Assert.Contains(plan, c => ModuleRunspace.Prop<string>(c, "Action") == "Refresh" && ModuleRunspace.Prop<string>(c, "ResourceId").EndsWith("/sites/func-contoso-dev", StringComparison.Ordinal));
        Assert.Equal("True", result.Output[^3].ToString());
        // Item 11, the views: the plan table shows each full ResourceId, the environment table says whether it exists.
        var planTable = result.Output[^2].ToString();
        Assert.Contains("ResourceId", planTable, StringComparison.Ordinal);
        Assert.Contains(ModuleRunspace.Prop<string>(regenerate, "ResourceId"), planTable, StringComparison.Ordinal);
        Assert.Matches("Exists", result.Output[^1].ToString());
    }

    /// <summary>Item 8: -Verbose writes each step's intent before the step and its result after it (before: all intents after the whole run).</summary>
    [Fact]
    public void Verbose_writes_each_intent_before_its_result_as_it_happens()
    {
        var result = Module.Invoke("New-FoundryEnvironment -Environment staging -Verbose");
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var verbose = result.Streams.Verbose.Select(v => v.Message).ToList();
        var intent = verbose.FindIndex(m => m.StartsWith("Create Microsoft.CognitiveServices/accounts ", StringComparison.Ordinal) && m.Contains(": missing", StringComparison.Ordinal));
        var outcome = verbose.FindIndex(m => m.StartsWith("Create accounts Succeeded: ", StringComparison.Ordinal));
        var nextIntent = verbose.FindIndex(m => m.StartsWith("Create Microsoft.CognitiveServices/accounts/deployments ", StringComparison.Ordinal));
        Assert.True(intent >= 0 && outcome > intent && nextIntent > outcome, string.Join("\n", verbose));
    }

    /// <summary>Item 10: audit records reach the information stream as Foundry objects with a table view and a readable line (before: the engine's record type, printed as "AuditRecord { Time = … }").</summary>
    [Fact]
    public void Audit_records_are_objects_with_a_view_on_the_information_stream()
    {
        var result = Module.Invoke("""
            $null = Invoke-FoundryKeyRotation -Environment dev -Confirm:$false -InformationVariable audit
            $audit | Where-Object { $_.Tags -contains 'Audit' } | ForEach-Object { $_.MessageData.GetType().FullName; $_.ToString() }
            (Get-FormatData -TypeName Foundry.Models.FoundryAuditRecord).FormatViewDefinition.Control.GetType().Name
            """);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var lines = result.Output.Select(o => o.ToString()).ToList();
        Assert.Equal("TableControl", lines[^1]);
        Assert.Contains("Foundry.Models.FoundryAuditRecord", lines);
        Assert.Contains(lines, l => Regex.IsMatch(l, "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ dev Regenerate accounts Succeeded: /subscriptions/"));
        Assert.DoesNotContain(lines, l => l.Contains("AuditRecord {", StringComparison.Ordinal));
    }

    /// <summary>
    /// Item 5: Get-FoundryManagedResource pages (-First/-Skip/-IncludeTotalCount) and shows ARM's casing; -SubscriptionId
    /// and -ResourceType complete; Remove-FoundryEnvironment -Force runs where no prompt can be shown.
    /// </summary>
    [Fact]
    public void Paging_completion_ARM_casing_and_Force()
    {
        var result = Module.Invoke("""
            $all = @(Get-FoundryManagedResource -Environment dev)
            $all.Count
            @(Get-FoundryManagedResource -Environment dev -Skip 1 -First 1).ResourceId -eq $all[1].ResourceId
            $page = @(Get-FoundryManagedResource -Environment dev -First 1 -IncludeTotalCount)
            $page.Count
            $page[-1].ToString()
            ($all.ResourceType | Sort-Object -Unique) -join ','
            foreach ($line in 'Get-FoundryManagedResource -SubscriptionId ', 'Get-FoundryManagedResource -ResourceType Microsoft.Key') {
                (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText -join ','
            }
            """);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        var lines = result.Output.Select(o => o.ToString()).ToList();
        var total = int.Parse(lines[0]);
        Assert.True(total >= 3);
        Assert.Equal("True", lines[1]);
        Assert.Equal("2", lines[2]);
        Assert.Contains(total.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[3], StringComparison.Ordinal);
        Assert.Equal("Microsoft.CognitiveServices/accounts,Microsoft.KeyVault/vaults,Microsoft.Resources/resourceGroups", lines[4]);
        Assert.Contains(Module.Host.DefaultSubscription, lines[5], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Microsoft.KeyVault/vaults", lines[6]);

        var unconfirmed = Module.Invoke("Remove-FoundryEnvironment -Environment staging");
        Assert.Equal("ConfirmationRequired", unconfirmed.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
        var forced = Module.Invoke("New-FoundryEnvironment -Environment pr-8 | Out-Null; Remove-FoundryEnvironment -Environment pr-8 -Force");
        Assert.True(forced.Errors.Count == 0, string.Join("\n", forced.Errors));
        Assert.Equal("Verified", ModuleRunspace.Prop<string>(Assert.Single(forced.Objects("FoundryCleanupReport")), "Status"));
    }
}
