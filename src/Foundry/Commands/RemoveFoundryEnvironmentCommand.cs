using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.Remove, "FoundryEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FoundryCleanupReport))]
public sealed class RemoveFoundryEnvironmentCommand : EnvironmentCmdlet
{
    /// <summary>Environments from the pipeline processed at once (1: one after the other).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 16;

    protected override void ProcessRecord()
    {
        if (!TryReadPolicy(PolicyPath, out var policy)) return;
        var engine = SessionConnection.Engine;
        if (!ShouldChange(policy, "Remove the environment's resources, secret and app settings", out var whatIf)) return;
        var audit = OpenAuditLog(AuditLogPath);
        var environment = Environment;
        RunForEnvironment(ThrottleLimit, environment, $"Remove-FoundryEnvironment {environment}",
            (reporter, token) => engine.Remover.RemoveAsync(policy, environment, whatIf, Guid.NewGuid().ToString("n"), audit, reporter, token), report =>
        {
            WriteObject(new FoundryCleanupReport(report));
            if (report.Status == "VerificationFailed")
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"{report.Remaining.Count} resource(s) of '{environment}' remain: {string.Join(", ", report.Remaining.Select(r => r.ResourceId))}."),
                    "CleanupVerificationFailed", ErrorCategory.ResourceExists, environment));
            }
        });
    }
}
