using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Groups;

/// <summary>A resource group.</summary>
public sealed record ResourceGroupInfo(string ResourceId, string Name, string Location, IReadOnlyDictionary<string, string> Tags, string? ProvisioningState = null);

/// <summary>A resource inside a group, as Resource Manager lists it.</summary>
public sealed record GroupMember(string ResourceId, IReadOnlyDictionary<string, string> Tags);

/// <summary>Resource groups through the SDK's typed client (Azure.ResourceManager covers them).</summary>
public sealed class ResourceGroupOperations
{
    private readonly ArmClient arm;
    private readonly TimeSpan pollingInterval;

    internal ResourceGroupOperations(ArmClient arm, TimeSpan pollingInterval)
    {
        this.arm = arm;
        this.pollingInterval = pollingInterval;
    }

    /// <summary>The group, or null.</summary>
    public async Task<ResourceGroupInfo?> GetAsync(string subscriptionId, string name, CancellationToken cancellationToken)
    {
        var id = ResourceGroupResource.CreateResourceIdentifier(subscriptionId, name);
        try
        {
            var group = await arm.GetResourceGroupResource(id).GetAsync(cancellationToken).ConfigureAwait(false);
            return ToInfo(group.Value.Data);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, new FailureContext("read the resource group", id.ToString()));
        }
    }

    /// <summary>Creates or updates the group (synchronous in Azure).</summary>
    public Task<ResourceGroupInfo> CreateOrUpdateAsync(string subscriptionId, string name, string location, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var id = ResourceGroupResource.CreateResourceIdentifier(subscriptionId, name);
        return AzureErrors.Guard(new FailureContext($"create resource group '{name}'", id.ToString(), "Contributor", location), async () =>
        {
            var data = new ResourceGroupData(new AzureLocation(location));
            foreach (var tag in tags) data.Tags[tag.Key] = tag.Value;
            var subscription = arm.GetSubscriptionResource(new ResourceIdentifier($"/subscriptions/{subscriptionId}"));
            var result = await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, name, data, cancellationToken).ConfigureAwait(false);
            return ToInfo(result.Value.Data);
        });
    }

    /// <summary>Starts deleting the group and everything in it; null when it does not exist.</summary>
    public async Task<EngineOperation?> StartDeleteAsync(string subscriptionId, string name, CancellationToken cancellationToken)
    {
        var id = ResourceGroupResource.CreateResourceIdentifier(subscriptionId, name);
        var context = new FailureContext($"delete resource group '{name}'", id.ToString(), "Contributor");
        try
        {
            var operation = await arm.GetResourceGroupResource(id).DeleteAsync(WaitUntil.Started, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new EngineOperation(operation, id.ToString(), context, pollingInterval);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, context);
        }
    }

    /// <summary>
    /// The resources in the group with their tags, read from Resource Manager (Resource Graph lags it, so a resource
    /// created seconds ago could be missing there): what decides whether deleting the group would take something
    /// Foundry does not manage with it. Top-level resources only, as Resource Manager lists them; their children
    /// (deployments, secrets) go with them.
    /// </summary>
    public Task<IReadOnlyList<GroupMember>> ListResourcesAsync(string subscriptionId, string name, CancellationToken cancellationToken)
    {
        var id = ResourceGroupResource.CreateResourceIdentifier(subscriptionId, name);
        return AzureErrors.Guard(new FailureContext("list the resource group's resources", id.ToString()), async () =>
        {
            var members = new List<GroupMember>();
            await foreach (var resource in arm.GetResourceGroupResource(id).GetGenericResourcesAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                members.Add(new GroupMember(resource.Id.ToString(), new Dictionary<string, string>(resource.Data.Tags, StringComparer.OrdinalIgnoreCase)));
            }
            return (IReadOnlyList<GroupMember>)members;
        });
    }

    /// <summary>Every resource group of the subscription, read from Resource Manager (current, unlike Resource Graph).</summary>
    public Task<IReadOnlyList<ResourceGroupInfo>> ListAsync(string subscriptionId, CancellationToken cancellationToken) =>
        AzureErrors.Guard(new FailureContext("list the subscription's resource groups", $"/subscriptions/{subscriptionId}"), async () =>
        {
            var groups = new List<ResourceGroupInfo>();
            var subscription = arm.GetSubscriptionResource(new ResourceIdentifier($"/subscriptions/{subscriptionId}"));
            await foreach (var group in subscription.GetResourceGroups().GetAllAsync(cancellationToken: cancellationToken).ConfigureAwait(false)) groups.Add(ToInfo(group.Data));
            return (IReadOnlyList<ResourceGroupInfo>)groups;
        });

    private static ResourceGroupInfo ToInfo(ResourceGroupData data) =>
        new(data.Id.ToString(), data.Name, data.Location.Name, new Dictionary<string, string>(data.Tags, StringComparer.OrdinalIgnoreCase), data.ResourceGroupProvisioningState);
}
