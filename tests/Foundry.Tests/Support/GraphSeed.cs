using Foundry.Emulator;
using Foundry.Emulator.State;

namespace Foundry.Tests.Support;

/// <summary>Fills the local cloud directly (not over HTTP) with many tagged resources, for Resource Graph scale tests.</summary>
public static class GraphSeed
{
    public static List<string> Managed(EmulatorHost host, int count, string environment)
    {
        var ids = new List<string>();
        lock (host.Cloud.Sync)
        {
            for (var i = 0; i < count; i++)
            {
                var subscription = host.Subscriptions[i % host.Subscriptions.Count];
                var group = $"rg-seed-{i % 7}";
                var groupId = $"/subscriptions/{subscription}/resourceGroups/{group}";
                if (host.Cloud.State.Find(groupId) is null)
                {
                    var container = new ArmResource { Id = groupId, Name = group, Type = "Microsoft.Resources/resourceGroups", SubscriptionId = subscription, ResourceGroup = group, Location = "eastus", CreatedAt = host.Cloud.Now, UpdatedAt = host.Cloud.Now };
                    container.ProvisioningState = "Succeeded";
                    host.Cloud.State.Put(container);
                }
                var id = $"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/st{environment.Replace("-", "")}{i:D5}";
                var resource = new ArmResource
                {
                    Id = id, Name = id.Split('/').Last(), Type = "Microsoft.Storage/storageAccounts", SubscriptionId = subscription, ResourceGroup = group,
                    Location = "eastus", CreatedAt = host.Cloud.Now, UpdatedAt = host.Cloud.Now,
                    Tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["foundry-managed"] = "true", ["foundry-env"] = environment, ["foundry-app"] = "contoso" },
                };
                resource.ProvisioningState = "Succeeded";
                host.Cloud.State.Put(resource);
                ids.Add(id);
            }
        }
        return ids;
    }
}
