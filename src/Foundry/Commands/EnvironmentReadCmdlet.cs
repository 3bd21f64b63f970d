using System.Management.Automation;
using Foundry.Completion;
using Foundry.Engine.Policy;

namespace Foundry.Commands;

/// <summary>
/// Base of the cmdlets that take one environment: -Environment (from the pipeline by value — 'dev' | … — and by
/// property name — Get-FoundryEnvironment | … —, checked against the policy's environmentNamePattern) and -PolicyPath.
/// </summary>
public abstract class EnvironmentReadCmdlet : FoundryCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string Environment { get; set; } = "";

    [Parameter]
    public string? PolicyPath { get; set; }

    /// <summary>
    /// Starts the work for the bound environment: false (nothing to do) when an earlier pipeline object named the same
    /// environment, or after writing PolicyNotFound / PolicyInvalid / EnvironmentNameInvalid.
    /// </summary>
    internal bool TryBegin(out FoundryPolicy policy)
    {
        policy = null!;
        if (!FirstTimeFor(Environment)) return false;
        return TryReadPolicy(PolicyPath, out policy) && TryValidateEnvironment(policy, Environment);
    }
}
