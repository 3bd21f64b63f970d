using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsDiagnostic.Test, "FoundryEnvironment", HelpUri = HelpLinks.TestFoundryEnvironment)]
[OutputType(typeof(FoundryEnvironmentCheck))]
public sealed class TestFoundryEnvironmentCommand : EnvironmentReadCmdlet
{
    /// <summary>Environments from the pipeline processed at once (1: one after the other).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 16;

    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        var environment = Environment;
        RunForEnvironment(ThrottleLimit, environment, $"Test-FoundryEnvironment {environment}", (reporter, token) => engine.Inspector.InspectAsync(policy, environment, reporter, token), checks =>
        {
            foreach (var check in checks) WriteObject(new FoundryEnvironmentCheck(check));
        });
    }
}
