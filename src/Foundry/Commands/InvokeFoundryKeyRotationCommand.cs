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

    /// <summary>Environments from the pipeline processed at once (1: one after the other).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 16;

    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy)) return;
        var engine = SessionConnection.Engine;
        if (!ShouldChange(policy, "Rotate the account key (regenerate the inactive key, update the secret, refresh the apps)", out var whatIf)) return;
        var audit = OpenAuditLog(AuditLogPath);
        var environment = Environment;
        var force = Force.IsPresent;
        RunForEnvironment(ThrottleLimit, environment, $"Invoke-FoundryKeyRotation {environment}",
            (reporter, token) => engine.Rotator.RotateAsync(policy, environment, force, whatIf, Guid.NewGuid().ToString("n"), audit, reporter, token), record =>
        {
            var addresses = Engine.Naming.EnvironmentAddresses.For(policy, environment);
            if (whatIf)
            {
                // The plan, as New- and Repair-FoundryEnvironment -WhatIf output theirs: which key would be regenerated.
                foreach (var change in Engine.Environments.RotationPlan.Of(policy, record)) WriteObject(new FoundryPlannedChange(environment, change, addresses));
                return;
            }
            foreach (var app in record.AppsPending)
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"App '{app}' has not resolved secret version {record.SecretVersion} yet; the previous key still works. Rotating again is refused until it does."),
                    "RotationPendingOnApp", ErrorCategory.OperationTimeout, app));
            }
            WriteObject(new FoundryKeyRotation(record, addresses));
        });
    }
}
