using System.Text.Json.Nodes;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Realism;

/// <summary>
/// Key Vault access policies reach the data plane late, as role assignments do: Resource Manager shows a changed
/// policy at once, but the vault keeps acting on the policies it had until the profile's delay has passed — a new
/// entry answers 403 AccessDenied meanwhile, and a removed one keeps working. Terraform's azurerm provider waits for
/// this after every access-policy write ("check access policy consistency before committing to state",
/// terraform-provider-azurerm#9125), and users report 403 AccessDenied right after adding a policy (#4569, #17015;
/// azure-cli#26448: "a long time (>10 min) for the keyvault to accept being read").
/// </summary>
public static class AccessPolicyPropagation
{
    /// <summary>
    /// A vault's access policies changed from <paramref name="before"/> to what the vault now holds: the data plane
    /// sees the new set after the profile's delay, the old one until then.
    /// </summary>
    public static void Changed(LocalCloud cloud, ArmResource vault, JsonArray? before)
    {
        var delay = cloud.Realism.Local(cloud.Realism.AccessPolicyPropagation);
        if (delay <= TimeSpan.Zero) return;
        var after = vault.Properties["accessPolicies"] as JsonArray ?? new JsonArray();
        if (JsonNode.DeepEquals(before ?? new JsonArray(), after)) return;
        var history = History(cloud.State, vault, cloud.Now);
        if (history.Count == 0) history.Add(new AccessPolicySnapshot { EffectiveFrom = DateTimeOffset.MinValue, Policies = (JsonArray)(before ?? new JsonArray()).DeepClone() });
        history.Add(new AccessPolicySnapshot { EffectiveFrom = cloud.Now + delay, Policies = (JsonArray)after.DeepClone() });
    }

    /// <summary>The vault is gone (deleted or purged): a vault recovered or created under its id starts from its own policies.</summary>
    public static void Forget(EmulatorState state, ArmResource vault) => state.AccessPolicyHistory.Remove(EmulatorState.Key(vault.Id));

    /// <summary>The access policies the data plane acts on now: the latest set whose propagation has completed.</summary>
    public static JsonArray? DataPlaneView(EmulatorState state, ArmResource vault, DateTimeOffset now)
    {
        var history = History(state, vault, now);
        return history.Count == 0 ? vault.Properties["accessPolicies"] as JsonArray : history.Last(s => s.EffectiveFrom <= now).Policies;
    }

    /// <summary>The vault's pending history, with sets superseded before now dropped (and none kept once all have arrived).</summary>
    private static List<AccessPolicySnapshot> History(EmulatorState state, ArmResource vault, DateTimeOffset now)
    {
        var key = EmulatorState.Key(vault.Id);
        if (!state.AccessPolicyHistory.TryGetValue(key, out var history)) return state.AccessPolicyHistory[key] = new List<AccessPolicySnapshot>();
        var current = history.FindLastIndex(s => s.EffectiveFrom <= now);
        if (current > 0) history.RemoveRange(0, current);
        if (history.Count == 1) history.Clear();
        return history;
    }
}
