using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// A confirmation that is due in a session that cannot prompt (the hosted engine's default host, pwsh -NonInteractive,
/// Azure Automation) is one ConfirmationRequired error before any Azure call, not a host exception; -Confirm:$false runs.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class NonInteractiveTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    [Theory]
    [InlineData("Remove-FoundryEnvironment -Environment pr-81", "RemoveFoundryEnvironmentCommand")]
    [InlineData("Remove-FoundryEnvironment -Environment pr-81 -Confirm", "RemoveFoundryEnvironmentCommand")]
    [InlineData("Remove-FoundryManagedResource -Environment pr-81", "RemoveFoundryManagedResourceCommand")]
    [InlineData("$ConfirmPreference = 'Medium'; New-FoundryEnvironment -Environment pr-82", "NewFoundryEnvironmentCommand")]
    [InlineData("$ConfirmPreference = 'Medium'; Invoke-FoundryKeyRotation -Environment pr-81", "InvokeFoundryKeyRotationCommand")]
    public void Without_a_user_interface_a_due_confirmation_is_ConfirmationRequired_and_changes_nothing(string command, string cmdlet)
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-81").Errors);
        var mark = module.Host.Cloud.Log.All.Count;
        var result = module.Invoke(command + "; $ConfirmPreference = 'High'");
        var error = Assert.Single(result.Errors);
        Assert.Equal($"ConfirmationRequired,Foundry.Commands.{cmdlet}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Contains("cannot prompt", error.ErrorDetails.Message);
        Assert.StartsWith("Pass -Confirm:$false", error.ErrorDetails.RecommendedAction);
        Assert.IsType<HostException>(error.Exception.InnerException);
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Method == "DELETE"));
        module.Invoke("$ConfirmPreference = 'High'");
    }

    [Fact]
    public void In_the_NonInteractive_sense_a_prompt_is_refused_with_the_same_error_and_Confirm_false_runs_without_one()
    {
        var host = new ScriptedHost(prompt: () => throw new PSInvalidOperationException("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available."));
        using var runspace = Connected(host);
        Assert.Empty(Run(runspace, "New-FoundryEnvironment -Environment pr-83").Errors);

        var mark = module.Host.Cloud.Log.All.Count;
        var refused = Run(runspace, "Remove-FoundryEnvironment -Environment pr-83");
        Assert.Equal("ConfirmationRequired,Foundry.Commands.RemoveFoundryEnvironmentCommand", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        Assert.IsType<PSInvalidOperationException>(refused.Errors[0].Exception.InnerException);
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
        Assert.Equal(1, host.Prompts);

        var removed = Run(runspace, "Remove-FoundryEnvironment -Environment pr-83 -Confirm:$false");
        Assert.Empty(removed.Errors);
        Assert.Equal("Verified", removed.Output.Single().Properties["Status"].Value);
        Assert.Equal(1, host.Prompts);
    }

    [Fact]
    public void An_interactive_host_is_still_asked_and_its_yes_is_honoured()
    {
        var host = new ScriptedHost(prompt: () => 0);
        using var runspace = Connected(host);
        Assert.Empty(Run(runspace, "New-FoundryEnvironment -Environment pr-84").Errors);
        var removed = Run(runspace, "Remove-FoundryEnvironment -Environment pr-84");
        Assert.Empty(removed.Errors);
        Assert.Equal(1, host.Prompts);
        Assert.Equal("Verified", removed.Output.Single().Properties["Status"].Value);
    }

    private Runspace Connected(PSHost host)
    {
        var runspace = RunspaceFactory.CreateRunspace(host, ModuleRunspace.Session());
        runspace.Open();
        Assert.Empty(Run(runspace, $"Connect-Foundry -Cloud Local -EmulatorConnectionFile '{Path.Combine(module.Folder, "connection.json")}' -PolicyPath '{module.PolicyPath}'").Errors);
        return runspace;
    }

    private static (Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors) Run(Runspace runspace, string script)
    {
        using var powershell = PowerShell.Create(runspace);
        var output = powershell.AddScript(script).Invoke();
        return (output, powershell.Streams.Error.ToList());
    }

    /// <summary>A host whose confirmation prompt is scripted: it answers, or throws as pwsh -NonInteractive does.</summary>
    private sealed class ScriptedHost(Func<int> prompt) : PSHost
    {
        private readonly ScriptedUserInterface ui = new(prompt);

        public int Prompts => ui.Prompts;
        public override string Name => "ScriptedHost";
        public override Version Version => new(1, 0);
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override PSHostUserInterface UI => ui;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    private sealed class ScriptedUserInterface(Func<int> prompt) : PSHostUserInterface
    {
        public int Prompts { get; private set; }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Prompts++;
            return prompt();
        }

        public override PSHostRawUserInterface? RawUI => null;
        public override string ReadLine() => throw new PSInvalidOperationException("no input");
        public override SecureString ReadLineAsSecureString() => throw new PSInvalidOperationException("no input");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new PSInvalidOperationException("no input");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new PSInvalidOperationException("no input");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new PSInvalidOperationException("no input");
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteLine(string value) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
    }
}
