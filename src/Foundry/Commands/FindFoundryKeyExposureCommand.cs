using System.Management.Automation;
using System.Security;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.Find, "FoundryKeyExposure", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.FindFoundryKeyExposure)]
[OutputType(typeof(FoundryKeyExposure), typeof(FoundryKeyRevocation))]
public sealed class FindFoundryKeyExposureCommand : EnvironmentCmdlet
{
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter Rotate { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryBegin(out var policy) || ResolvePaths() is not { } paths) return;
        var engine = SessionConnection.Engine;
        if (!TryRun($"Find-FoundryKeyExposure {Environment}", Environment, (reporter, token) => engine.Exposure.ScanAsync(policy, Environment, paths, reporter, token), out var report)) return;
        foreach (var finding in report.Scan.Findings) WriteObject(new FoundryKeyExposure(report, finding));
        if (report.Scan.Findings.Count == 0) return;

        var slots = string.Join(" and ", report.ExposedSlots);
        var revoked = false;
        if (Rotate.IsPresent && ShouldProcessOrFail(report.AccountId, $"Regenerate the exposed {slots} (moving the apps to the other key first if {slots} is the active one)"))
        {
            var audit = OpenAuditLog(AuditLogPath);
            revoked = TryRun($"Find-FoundryKeyExposure -Rotate {Environment}", report.AccountId,
                (reporter, token) => engine.Exposure.RevokeAsync(policy, Environment, report.ExposedSlots, Force.IsPresent, Guid.NewGuid().ToString("n"), audit, reporter, token), out var revocation);
            if (revoked) WriteObject(new FoundryKeyRevocation(revocation));
        }
        // Written last and even after a successful -Rotate: the files still hold the (now dead) key text, and a CI step
        // run with $ErrorActionPreference = 'Stop' must fail on this record after everything else has been done.
        var files = report.Scan.Findings.Select(f => $"{f.Path}:{f.Line}").Distinct().ToList();
        var error = new ErrorRecord(new SecurityException($"The {slots} of environment '{Environment}' was found {report.Scan.Findings.Count} time(s): {string.Join(", ", files.Take(10))}{(files.Count > 10 ? ", …" : "")}."),
            ErrorIds.KeyExposed, ErrorCategory.SecurityError, Environment);
        error.ErrorDetails = new ErrorDetails(error.Exception.Message)
        {
            RecommendedAction = revoked
                ? $"The exposed {slots} was regenerated and no longer works; remove the key text from the files listed."
                : $"Rotate the exposed slot: Find-FoundryKeyExposure -Environment {Environment} -Path <paths> -Rotate, or Invoke-FoundryKeyRotation -Environment {Environment}; then remove the key text from the files listed.",
        };
        WriteError(error);
    }

    private List<string>? ResolvePaths()
    {
        var resolved = new List<string>();
        foreach (var path in Path)
        {
            try
            {
                resolved.AddRange(SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider).Where(_ => provider.Name == "FileSystem"));
            }
            catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException)
            {
                WriteError(new ErrorRecord(e, ErrorIds.ScanPathNotFound, ErrorCategory.ObjectNotFound, path)
                {
                    ErrorDetails = new ErrorDetails($"'{path}' does not exist.") { RecommendedAction = "Give existing files or folders to -Path (wildcards are allowed)." },
                });
                return null;
            }
        }
        return resolved;
    }
}
