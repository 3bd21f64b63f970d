using System.Management.Automation;
using Foundry.Engine.Policy;

namespace Foundry.Commands;

/// <summary>Base of the cmdlets that change one environment: adds -AuditLogPath to -Environment and -PolicyPath.</summary>
public abstract class EnvironmentCmdlet : EnvironmentReadCmdlet
{
    [Parameter]
    public string? AuditLogPath { get; set; }

    /// <summary>
    /// ShouldProcess on the environment. False when the operator declined; under -WhatIf it is true with
    /// <paramref name="whatIf"/> set, because the engine then reads the environment and outputs its plan.
    /// </summary>
    internal bool ShouldChange(FoundryPolicy policy, string action, out bool whatIf)
    {
        whatIf = !ShouldProcessOrFail($"environment '{Environment}' of app '{policy.App}'", action);
        return !whatIf || IsWhatIf;
    }
}
