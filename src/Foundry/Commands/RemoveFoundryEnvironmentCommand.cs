using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.Remove, "FoundryEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FoundryCleanupReport))]
public sealed class RemoveFoundryEnvironmentCommand : EnvironmentCmdlet
{
    protected override void ProcessRecord()
    {
        if (!TryReadPolicy(PolicyPath, out var policy)) return;
        var engine = SessionConnection.Engine;
        var whatIf = !ShouldProcessOrFail($"environment '{Environment}' of app '{policy.App}'", "Remove the environment's resources, secret and app settings");
        if (whatIf && !MyInvocation.BoundParameters.ContainsKey("WhatIf")) return;
        var audit = OpenAuditLog(AuditLogPath);
        if (TryRun($"Remove-FoundryEnvironment {Environment}", Environment,
                (reporter, token) => engine.Remover.RemoveAsync(policy, Environment, whatIf, Guid.NewGuid().ToString("n"), audit, reporter, token), out var report))
        {
            WriteObject(new FoundryCleanupReport(report));
            if (report.Status == "VerificationFailed")
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"{report.Remaining.Count} resource(s) of '{Environment}' remain: {string.Join(", ", report.Remaining.Select(r => r.ResourceId))}."),
                    "CleanupVerificationFailed", ErrorCategory.ResourceExists, Environment));
            }
        }
    }
}
