using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "FoundryKeyRotation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.InvokeFoundryKeyRotation)]
[OutputType(typeof(FoundryKeyRotation), typeof(FoundryPlannedChange))]
public sealed class InvokeFoundryKeyRotationCommand : EnvironmentCmdlet
{
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        if (!ShouldChange(policy, "Rotate the account key (regenerate the inactive key, update the secret, refresh the apps)", out var whatIf)) return;
        var audit = OpenAuditLog(AuditLogPath);
        if (TryRun($"Invoke-FoundryKeyRotation {Environment}", Environment,
                (reporter, token) => engine.Rotator.RotateAsync(policy, Environment, Force.IsPresent, whatIf, Guid.NewGuid().ToString("n"), audit, reporter, token), out var record))
        {
            var addresses = Engine.Naming.EnvironmentAddresses.For(policy, Environment);
            if (whatIf)
            {
                // The plan, as New- and Repair-FoundryEnvironment -WhatIf output theirs: which key would be regenerated.
                foreach (var change in Engine.Environments.RotationPlan.Of(policy, record)) WriteObject(new FoundryPlannedChange(Environment, change, addresses));
                return;
            }
            foreach (var app in record.AppsPending)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"App '{app}' has not resolved secret version {record.SecretVersion} yet; the previous key still works. Rotating again is refused until it does."),
                    "RotationPendingOnApp", ErrorCategory.OperationTimeout, app));
            }
            WriteObject(new FoundryKeyRotation(record, addresses));
        }
    }
}
