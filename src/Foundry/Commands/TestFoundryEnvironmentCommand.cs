using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsDiagnostic.Test, "FoundryEnvironment", HelpUri = HelpLinks.TestFoundryEnvironment)]
[OutputType(typeof(FoundryEnvironmentCheck))]
public sealed class TestFoundryEnvironmentCommand : EnvironmentReadCmdlet
{
    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        if (TryRun($"Test-FoundryEnvironment {Environment}", Environment, (reporter, token) => engine.Inspector.InspectAsync(policy, Environment, reporter, token), out var checks))
        {
            foreach (var check in checks) WriteObject(new FoundryEnvironmentCheck(check));
        }
    }
}
