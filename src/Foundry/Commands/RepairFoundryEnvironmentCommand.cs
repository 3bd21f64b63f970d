using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsDiagnostic.Repair, "FoundryEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.RepairFoundryEnvironment)]
[OutputType(typeof(FoundryPlannedChange))]
public sealed class RepairFoundryEnvironmentCommand : EnvironmentCmdlet
{
    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        if (!ShouldChange(policy, "Repair drift (rewrite settings, re-grant roles, put the active key back in the secret)", out var whatIf)) return;
        var audit = OpenAuditLog(AuditLogPath);
        if (TryRun($"Repair-FoundryEnvironment {Environment}", Environment,
                (reporter, token) => engine.Provisioner.RepairAsync(policy, Environment, whatIf, Guid.NewGuid().ToString("n"), audit, reporter, token), out var result))
        {
            var addresses = Engine.Naming.EnvironmentAddresses.For(policy, Environment);
            foreach (var change in result.Changes) WriteObject(new FoundryPlannedChange(Environment, change, addresses));
        }
    }
}
