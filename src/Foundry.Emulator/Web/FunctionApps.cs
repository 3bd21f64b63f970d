using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Web;

/// <summary>A customer's Function App in the local cloud (Foundry wires apps, it never creates them).</summary>
internal static class FunctionApps
{
    /// <summary>
    /// Makes sure a customer's Function App exists (with a system-assigned identity and one unrelated setting), so the
    /// offline demo has an app to wire. Idempotent; returns whether it created anything.
    /// </summary>
    public static bool Ensure(LocalCloud cloud, string subscriptionId, string resourceGroup, string name, string location)
    {
        lock (cloud.Sync)
        {
            var state = cloud.State;
            var created = false;
            var groupId = ResourceIds.ResourceGroupId(subscriptionId, resourceGroup);
            if (state.Find(groupId) is null)
            {
                var group = new ArmResource { Id = groupId, Name = resourceGroup, Type = "Microsoft.Resources/resourceGroups", SubscriptionId = subscriptionId, ResourceGroup = resourceGroup, Location = location, CreatedAt = cloud.Now, UpdatedAt = cloud.Now };
                group.ProvisioningState = "Succeeded";
                state.Put(group);
                created = true;
            }
            var siteId = ResourceIds.Resource(subscriptionId, resourceGroup, "Microsoft.Web/sites", name);
            if (state.Find(siteId) is null)
            {
                var site = new ArmResource
                {
                    Id = siteId, Name = name, Type = "Microsoft.Web/sites", SubscriptionId = subscriptionId, ResourceGroup = resourceGroup, Location = location, Kind = "functionapp,linux",
                    Identity = new System.Text.Json.Nodes.JsonObject { ["type"] = "SystemAssigned", ["tenantId"] = state.TenantId, ["principalId"] = Guid.NewGuid().ToString() },
                    CreatedAt = cloud.Now, UpdatedAt = cloud.Now,
                };
                site.Properties["defaultHostName"] = $"{name.ToLowerInvariant()}.azurewebsites.localhost";
                site.Properties["state"] = "Running";
                site.ProvisioningState = "Succeeded";
                state.Put(site);
                state.AppSettings[EmulatorState.Key(siteId)] = new Dictionary<string, string> { ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated" };
                created = true;
            }
            if (created) cloud.Save();
            return created;
        }
    }
}
