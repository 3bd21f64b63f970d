using System.Management.Automation;
using Foundry.Completion;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.Get, "FoundryEnvironment", HelpUri = HelpLinks.GetFoundryEnvironment)]
[OutputType(typeof(FoundryEnvironment))]
public sealed class GetFoundryEnvironmentCommand : FoundryCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string[]? Environment { get; set; }

    [Parameter]
    public string? PolicyPath { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryReadPolicy(PolicyPath, out var policy)) return;
        var engine = SessionConnection.Engine;
        var names = Environment ?? policy.Environments.Keys.Where(k => !k.EndsWith("*", StringComparison.Ordinal)).ToArray();
        // One object per environment, however many piped objects (an environment's resources) name it.
        foreach (var name in names.Where(FirstTimeFor))
        {
            if (Environment is not null && !TryValidateEnvironment(policy, name)) continue;
            if (TryRun($"Get-FoundryEnvironment {name}", name, (_, token) => engine.Reader.ReadAsync(policy, name, token), out var info) &&
                (Environment is not null || info.AccountId is not null))
            {
                WriteObject(new FoundryEnvironment(info));
            }
        }
    }
}
