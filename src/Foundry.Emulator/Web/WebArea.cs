using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Web;

/// <summary>Microsoft.Web sites, app settings, Key Vault reference status and refresh.</summary>
internal sealed class WebArea : IEmulatorArea
{
    public void Register(RouteTable routes, LocalCloud cloud)
    {
    }
}
