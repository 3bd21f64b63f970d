using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.ResourceGraph;

/// <summary>Microsoft.ResourceGraph resource queries over the KQL subset Foundry uses.</summary>
internal sealed class ResourceGraphArea : IEmulatorArea
{
    public void Register(RouteTable routes, LocalCloud cloud)
    {
    }
}
