using System.Management.Automation;
using Foundry.Completion;

namespace Foundry.Commands;

/// <summary>Base of the cmdlets that take one environment: -Environment (bindable by property name) and -PolicyPath.</summary>
public abstract class EnvironmentReadCmdlet : FoundryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidatePattern(EnvironmentName.Pattern, Options = EnvironmentName.Options)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string Environment { get; set; } = "";

    [Parameter]
    public string? PolicyPath { get; set; }
}
