using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.Remove, "FoundryEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.RemoveFoundryEnvironment)]
[OutputType(typeof(FoundryCleanupReport))]
public sealed class RemoveFoundryEnvironmentCommand : EnvironmentCmdlet
{
    /// <summary>Skips the confirmation, as -Force does on Remove-Az* cmdlets; never -WhatIf, nor an explicit -Confirm.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        var whatIf = false;
        var forced = Force.IsPresent && !IsWhatIf && !MyInvocation.BoundParameters.ContainsKey("Confirm");
        if (!forced && !ShouldChange(policy, "Remove the environment's resources, secret and app settings", out whatIf)) return;
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
