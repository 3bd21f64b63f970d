using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.New, "FoundryEnvironment", SupportsShouldProcess = true, HelpUri = HelpLinks.NewFoundryEnvironment)]
[OutputType(typeof(FoundryEnvironment), typeof(FoundryPlannedChange))]
public sealed class NewFoundryEnvironmentCommand : EnvironmentCmdlet
{
    /// <summary>Environments from the pipeline processed at once (1: one after the other).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 16;

    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        if (!ShouldChange(policy, "Create or update (converge to the policy)", out var whatIf)) return;
        var runId = Guid.NewGuid().ToString("n");
        var audit = OpenAuditLog(AuditLogPath);
        var environment = Environment;
        RunForEnvironment(ThrottleLimit, environment, $"New-FoundryEnvironment {environment}",
            (reporter, token) => engine.Provisioner.ProvisionAsync(policy, environment, whatIf, runId, audit, reporter, token), result =>
        {
            if (whatIf)
            {
                var addresses = Engine.Naming.EnvironmentAddresses.For(policy, environment);
                foreach (var change in result.Changes) WriteObject(new FoundryPlannedChange(environment, change, addresses));
                return;
            }
            WriteObject(new FoundryEnvironment(result.Environment));
        });
    }
}
