using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.New, "FoundryEnvironment", SupportsShouldProcess = true)]
[OutputType(typeof(FoundryEnvironment), typeof(FoundryPlannedChange))]
public sealed class NewFoundryEnvironmentCommand : EnvironmentCmdlet
{
    protected override void ProcessRecord()
    {
        if (!TryReadPolicy(PolicyPath, out var policy)) return;
        var engine = SessionConnection.Engine;
        var target = $"environment '{Environment}' of app '{policy.App}'";
        var whatIf = !ShouldProcessOrFail(target, "Create or update (converge to the policy)");
        if (whatIf && !MyInvocation.BoundParameters.ContainsKey("WhatIf")) return;
        var runId = Guid.NewGuid().ToString("n");
        var audit = OpenAuditLog(AuditLogPath);
        if (!TryRun($"New-FoundryEnvironment {Environment}", Environment,
                (reporter, token) => engine.Provisioner.ProvisionAsync(policy, Environment, whatIf, runId, audit, reporter, token), out var result))
        {
            return;
        }
        if (whatIf)
        {
            foreach (var change in result.Changes) WriteObject(new FoundryPlannedChange(Environment, change));
            return;
        }
        foreach (var change in result.Changes) WriteVerbose($"{change.Action} {change.ResourceType} {change.Target}: {change.Reason}");
        WriteObject(new FoundryEnvironment(result.Environment));
    }
}
