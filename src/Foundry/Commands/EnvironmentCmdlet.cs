using System.Management.Automation;
using Foundry.Completion;

namespace Foundry.Commands;

/// <summary>Base of the cmdlets that change one environment: -Environment (bindable by property name), -PolicyPath, -AuditLogPath.</summary>
public abstract class EnvironmentCmdlet : FoundryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidatePattern(EnvironmentName.Pattern, Options = EnvironmentName.Options)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string Environment { get; set; } = "";

    [Parameter]
    public string? PolicyPath { get; set; }

    [Parameter]
    public string? AuditLogPath { get; set; }
}
