using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.CognitiveServices;

/// <summary>Microsoft.CognitiveServices accounts, deployments, keys, soft delete, quota and models.</summary>
internal sealed class CognitiveServicesArea : IEmulatorArea
{
    public void Register(RouteTable routes, LocalCloud cloud)
    {
    }
}
