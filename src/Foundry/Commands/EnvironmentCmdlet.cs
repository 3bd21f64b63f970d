using System.Management.Automation;

namespace Foundry.Commands;

/// <summary>Base of the cmdlets that change one environment: adds -AuditLogPath to -Environment and -PolicyPath.</summary>
public abstract class EnvironmentCmdlet : EnvironmentReadCmdlet
{
    [Parameter]
    public string? AuditLogPath { get; set; }
}
