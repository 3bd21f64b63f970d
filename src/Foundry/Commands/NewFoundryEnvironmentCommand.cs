using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.New, "FoundryEnvironment", SupportsShouldProcess = true, HelpUri = HelpLinks.NewFoundryEnvironment)]
[OutputType(typeof(FoundryEnvironment), typeof(FoundryPlannedChange))]
public sealed class NewFoundryEnvironmentCommand : EnvironmentCmdlet
{
    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        if (!ShouldChange(policy, "Create or update (converge to the policy)", out var whatIf)) return;
        var runId = Guid.NewGuid().ToString("n");
        var audit = OpenAuditLog(AuditLogPath);
        if (!TryRun($"New-FoundryEnvironment {Environment}", Environment,
                (reporter, token) => engine.Provisioner.ProvisionAsync(policy, Environment, whatIf, runId, audit, reporter, token), out var result))
        {
            return;
        }
        if (whatIf)
        {
            var addresses = Engine.Naming.EnvironmentAddresses.For(policy, Environment);
            foreach (var change in result.Changes) WriteObject(new FoundryPlannedChange(Environment, change, addresses));
            return;
        }
        WriteObject(new FoundryEnvironment(result.Environment));
    }
}
