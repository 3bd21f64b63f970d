using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsDiagnostic.Repair, "FoundryEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.RepairFoundryEnvironment)]
[OutputType(typeof(FoundryPlannedChange))]
public sealed class RepairFoundryEnvironmentCommand : EnvironmentCmdlet
{
    /// <summary>Environments from the pipeline processed at once (1: one after the other).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 16;

    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        if (!ShouldChange(policy, "Repair drift (rewrite settings, re-grant roles, put the active key back in the secret)", out var whatIf)) return;
        var audit = OpenAuditLog(AuditLogPath);
        var environment = Environment;
        RunForEnvironment(ThrottleLimit, environment, $"Repair-FoundryEnvironment {environment}",
            (reporter, token) => engine.Provisioner.RepairAsync(policy, environment, whatIf, Guid.NewGuid().ToString("n"), audit, reporter, token), result =>
        {
            var addresses = Engine.Naming.EnvironmentAddresses.For(policy, environment);
            foreach (var change in result.Changes) WriteObject(new FoundryPlannedChange(environment, change, addresses));
        });
    }
}
