using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.OpenAI;

/// <summary>Azure OpenAI data plane: chat completions, accepted only with the account's current keys.</summary>
internal sealed class OpenAIArea : IEmulatorArea
{
    public void Register(RouteTable routes, LocalCloud cloud)
    {
    }
}
