using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.KeyVault;

/// <summary>Microsoft.KeyVault vaults and deleted vaults (Resource Manager).</summary>
internal sealed class KeyVaultManagementArea : IEmulatorArea
{
    public void Register(RouteTable routes, LocalCloud cloud)
    {
    }
}
