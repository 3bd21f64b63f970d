using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommunications.Connect, "Foundry")]
[OutputType(typeof(FoundryConnection))]
public sealed class ConnectFoundryCommand : FoundryCmdlet
{
    [Parameter]
    [ValidateSet("AzureCloud", "AzureUSGovernment", "AzureChinaCloud", "Local")]
    public string? Cloud { get; set; }

    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
    public string? SubscriptionId { get; set; }

    [Parameter]
    public string? TenantId { get; set; }

    [Parameter]
    public string? EmulatorConnectionFile { get; set; }

    [Parameter]
    public string? PolicyPath { get; set; }

    protected override void EndProcessing()
    {
        Engine.EngineOptions options;
        try
        {
            options = SessionConnection.FromEnvironment(Cloud, SubscriptionId, TenantId,
                EmulatorConnectionFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(EmulatorConnectionFile));
        }
        catch (Engine.FoundryEngineException e)
        {
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(e, EmulatorConnectionFile ?? Cloud));
            return;
        }
        var engine = Engine.FoundryEngine.Create(options);
        if (TryRun("Connecting", options.ResolvedArmEndpoint.ToString(), (_, token) => engine.ConnectAsync(token), out var info))
        {
            SessionConnection.Set(options, PolicyPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PolicyPath));
            WriteObject(new FoundryConnection(info));
        }
    }
}
