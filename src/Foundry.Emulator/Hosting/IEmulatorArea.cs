using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Hosting;

/// <summary>One Azure area (a resource provider or a data plane): maps its routes and registers its hooks.</summary>
internal interface IEmulatorArea
{
    void Register(RouteTable routes, LocalCloud cloud);
}
