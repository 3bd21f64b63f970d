using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.KeyVault;

/// <summary>Key Vault secrets data plane with the bearer challenge.</summary>
internal sealed class KeyVaultSecretsArea : IEmulatorArea
{
    public void Register(RouteTable routes, LocalCloud cloud)
    {
    }
}
