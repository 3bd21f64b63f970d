using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Authorization;

/// <summary>Microsoft.Authorization role assignments at any scope.</summary>
internal sealed class AuthorizationArea : IEmulatorArea
{
    public void Register(RouteTable routes, LocalCloud cloud)
    {
    }
}
