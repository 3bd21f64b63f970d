using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// Connect-Foundry -UseAzContext: tokens come from the session's Get-AzAccessToken (a stand-in function shaped like
/// Az.Accounts' PSAccessToken: Token as SecureString or string, ExpiresOn), fetched on the pipeline thread while the
/// Engine works. The emulator takes a JWT's oid as the caller, so the request log shows whose token was used.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class AzContextCredentialTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private const string Oid = "7d0c3b8e-0000-4000-8000-00000000a2c7";

    private static readonly string Jwt = string.Join(".", new[]
    {
        """{"alg":"none","typ":"JWT"}""",
        $$"""{"oid":"{{Oid}}","upn":"operator@contoso.example"}""",
        "signature",
    }.Select(part => Convert.ToBase64String(Encoding.UTF8.GetBytes(part)).TrimEnd('=').Replace('+', '-').Replace('/', '_')));

    // Az.Accounts 5 returns Token as a SecureString (older versions: a string, with -AsSecureString from 2.17 on).
    private const string SecureStub = """
        $global:AzTokenCalls = [System.Collections.ArrayList]::new()
        if (-not $global:AzTokenMinutes) { $global:AzTokenMinutes = 30 }
        function global:Get-AzAccessToken {
            [CmdletBinding()]
            param([string] $ResourceUrl, [string] $TenantId, [switch] $AsSecureString)
            [void]$global:AzTokenCalls.Add("$ResourceUrl|$TenantId|$($AsSecureString.IsPresent)")
            $secure = [System.Security.SecureString]::new()
            foreach ($c in $jwt.ToCharArray()) { $secure.AppendChar($c) }
            [pscustomobject]@{ Token = $secure; ExpiresOn = [DateTimeOffset]::UtcNow.AddMinutes($global:AzTokenMinutes); Type = 'Bearer'; TenantId = $TenantId; UserId = 'operator@contoso.example' }
        }
        """;

    private const string StringStub = """
        $global:AzTokenCalls = [System.Collections.ArrayList]::new()
        function global:Get-AzAccessToken {
            [CmdletBinding()]
            param([string] $ResourceUrl, [string] $TenantId)
            [void]$global:AzTokenCalls.Add("$ResourceUrl|$TenantId|False")
            [pscustomobject]@{ Token = $jwt; ExpiresOn = [DateTime]::UtcNow.AddMinutes(30); Type = 'Bearer'; TenantId = $TenantId; UserId = 'operator@contoso.example' }
        }
        """;

    [Theory]
    [InlineData(SecureStub, "True")]
    [InlineData(StringStub, "False")]
    public void Up_with_UseAzContext_acts_as_the_Az_signed_in_identity_on_Resource_Manager_and_Key_Vault(string stub, string asSecureString)
    {
        using var runspace = Open();
        Assert.Empty(Run(runspace, stub).Errors);
        var mark = module.Host.Cloud.Log.All.Count;
        var connect = Run(runspace, Connect("-UseAzContext"));
        Assert.Empty(connect.Errors);
        var environment = asSecureString == "True" ? "pr-91" : "pr-92";
        var up = Run(runspace, $"New-FoundryEnvironment -Environment {environment}");
        Assert.Empty(up.Errors);
        Assert.Single(up.Output);

        var requests = module.Host.Cloud.Log.All.Skip(mark).ToList();
        Assert.Contains(requests, r => r.Service == Foundry.Emulator.Control.ServiceKind.KeyVault);
        // SecretClient's first call goes without a token to learn the vault's challenge (401); every other carries the Az token.
        Assert.All(requests.Where(r => r.Service is Foundry.Emulator.Control.ServiceKind.Management or Foundry.Emulator.Control.ServiceKind.KeyVault && r.Status != 401),
            r => Assert.Equal(Oid, r.Principal));

        var calls = Run(runspace, "$global:AzTokenCalls").Output.Select(o => o.ToString()).ToList();
        var tenant = module.Host.Cloud.State.TenantId;
        // Both resources at connect time (a federated sign-in expires soon), then from the cache.
        Assert.Equal(new[] { $"{module.Host.ManagementEndpoint.ToString().TrimEnd('/')}|{tenant}|{asSecureString}", $"https://vault.localhost|{tenant}|{asSecureString}" }, calls);

        Assert.DoesNotContain(Jwt[..40], string.Join("\n", connect.Output.Concat(up.Output).Select(o => string.Join(" ", o.Properties.Select(p => p.Value)))));
        Assert.Empty(Run(runspace, $"Remove-FoundryEnvironment -Environment {environment} -Confirm:$false").Errors);
    }

    [Fact]
    public void Short_lived_Az_tokens_are_fetched_again_on_the_pipeline_thread_while_a_command_runs()
    {
        using var runspace = Open();
        // Inside Foundry's five-minute refresh margin: every token the Engine needs is asked of Get-AzAccessToken again.
        Assert.Empty(Run(runspace, "$global:AzTokenMinutes = 3\n" + SecureStub).Errors);
        Assert.Empty(Run(runspace, Connect("-UseAzContext")).Errors);
        var atConnect = (int)Run(runspace, "$global:AzTokenCalls.Count").Output.Single().BaseObject;
        var mark = module.Host.Cloud.Log.All.Count;
        Assert.Empty(Run(runspace, "Get-FoundryEnvironment -Environment dev").Errors);
        var calls = (int)Run(runspace, "$global:AzTokenCalls.Count").Output.Single().BaseObject;
        Assert.True(atConnect >= 2, $"{atConnect} tokens at connect");
        Assert.True(calls > atConnect, $"no token was fetched while Get-FoundryEnvironment ran ({calls})");
        Assert.All(module.Host.Cloud.Log.All.Skip(mark).Where(r => r.Service == Foundry.Emulator.Control.ServiceKind.Management), r => Assert.Equal(Oid, r.Principal));
    }

    [Theory]
    [InlineData("AzureCloud", "https://management.azure.com", "https://vault.azure.net")]
    [InlineData("AzureUSGovernment", "https://management.usgovcloudapi.net", "https://vault.usgovcloudapi.net")]
    [InlineData("AzureChinaCloud", "https://management.chinacloudapi.cn", "https://vault.azure.cn")]
    public void Sovereign_clouds_ask_Az_for_their_own_Resource_Manager_and_Key_Vault_tokens(string cloud, string management, string vault)
    {
        using var runspace = Open();
        // The vault token is refused, so Connect-Foundry stops before it would reach the (unreachable) cloud.
        Assert.Empty(Run(runspace, """
            $global:AzTokenCalls = [System.Collections.ArrayList]::new()
            function global:Get-AzAccessToken {
                param([string] $ResourceUrl, [string] $TenantId)
                [void]$global:AzTokenCalls.Add($ResourceUrl)
                if ($ResourceUrl -like '*vault*') { throw "No token for $ResourceUrl in this test." }
                [pscustomobject]@{ Token = $jwt; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1) }
            }
            """).Errors);
        var error = Assert.Single(Run(runspace, $"Connect-Foundry -Cloud {cloud} -UseAzContext").Errors);
        Assert.Equal("AzContextTokenFailed,Foundry.Commands.ConnectFoundryCommand", error.FullyQualifiedErrorId);
        Assert.Equal(new[] { management, vault }, Run(runspace, "$global:AzTokenCalls").Output.Select(o => o.ToString()));
    }

    [Fact]
    public void A_signed_in_Az_session_is_used_without_UseAzContext_but_never_for_the_local_cloud()
    {
        using var runspace = Open();
        Assert.Empty(Run(runspace, """
            $global:AzTokenCalls = [System.Collections.ArrayList]::new()
            function global:Get-AzContext { [pscustomobject]@{ Account = [pscustomobject]@{ Id = 'operator@contoso.example' } } }
            function global:Get-AzAccessToken {
                param([string] $ResourceUrl, [string] $TenantId)
                [void]$global:AzTokenCalls.Add($ResourceUrl)
                if ($ResourceUrl -like '*vault*') { throw "No token for $ResourceUrl in this test." }
                [pscustomobject]@{ Token = $jwt; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1) }
            }
            """).Errors);

        Assert.Empty(Run(runspace, Connect("")).Errors);
        Assert.Empty(Run(runspace, "$global:AzTokenCalls").Output);

        // The refused vault token stops Connect-Foundry before it would reach the (unreachable) cloud.
        var error = Assert.Single(Run(runspace, "Connect-Foundry -Cloud AzureCloud").Errors);
        Assert.Equal("AzContextTokenFailed,Foundry.Commands.ConnectFoundryCommand", error.FullyQualifiedErrorId);
        Assert.Equal(new[] { "https://management.azure.com", "https://vault.azure.net" }, Run(runspace, "$global:AzTokenCalls").Output.Select(o => o.ToString()));
    }

    [Fact]
    public void UseAzContext_without_Az_Accounts_is_AzContextNotFound_before_any_call()
    {
        using var runspace = Open();
        var mark = module.Host.Cloud.Log.All.Count;
        var error = Assert.Single(Run(runspace, Connect("-UseAzContext")).Errors);
        Assert.Equal("AzContextNotFound,Foundry.Commands.ConnectFoundryCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("Connect-AzAccount", error.ErrorDetails.RecommendedAction);
        Assert.Equal(mark, module.Host.Cloud.Log.All.Count);
    }

    [Fact]
    public void A_failing_Get_AzAccessToken_is_AzContextTokenFailed_with_its_reason()
    {
        using var runspace = Open();
        Run(runspace, "function global:Get-AzAccessToken { param([string] $ResourceUrl, [string] $TenantId) throw 'Run Connect-AzAccount to login.' }");
        var mark = module.Host.Cloud.Log.All.Count;
        var error = Assert.Single(Run(runspace, Connect("-UseAzContext")).Errors);
        Assert.Equal("AzContextTokenFailed,Foundry.Commands.ConnectFoundryCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("Run Connect-AzAccount to login.", error.Exception.Message);
        Assert.Equal(mark, module.Host.Cloud.Log.All.Count);
    }

    private string Connect(string extra) =>
        $"Connect-Foundry -Cloud Local -EmulatorConnectionFile '{Path.Combine(module.Folder, "connection.json")}' -PolicyPath '{module.PolicyPath}' {extra}";

    private static Runspace Open()
    {
        var runspace = RunspaceFactory.CreateRunspace(ModuleRunspace.Session());
        runspace.Open();
        runspace.SessionStateProxy.SetVariable("jwt", Jwt);
        return runspace;
    }

    private static (Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors) Run(Runspace runspace, string script)
    {
        using var powershell = PowerShell.Create(runspace);
        try
        {
            var output = powershell.AddScript(script).Invoke();
            return (output, powershell.Streams.Error.ToList());
        }
        catch (RuntimeException e)
        {
            return (new Collection<PSObject>(), new[] { e.ErrorRecord });
        }
    }
}
