using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.Get, "FoundryConnection", HelpUri = HelpLinks.GetFoundryConnection)]
[OutputType(typeof(FoundryConnection))]
public sealed class GetFoundryConnectionCommand : FoundryCmdlet
{
    protected override void EndProcessing()
    {
        Engine.FoundryEngine engine;
        try
        {
            engine = SessionConnection.Engine;
        }
        catch (Engine.FoundryEngineException e)
        {
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(e, null));
            return;
        }
        if (TryRun("Connecting", null, (_, token) => engine.ConnectAsync(token), out var info)) WriteObject(new FoundryConnection(info));
    }
}
