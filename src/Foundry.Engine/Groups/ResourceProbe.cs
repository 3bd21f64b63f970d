using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Groups;

/// <summary>Asks Resource Manager (the source of truth; Resource Graph lags it) whether a resource of any type exists.</summary>
public sealed class ResourceProbe
{
    private readonly ArmClient arm;

    internal ResourceProbe(ArmClient arm) => this.arm = arm;

    /// <summary>Whether the resource exists now.</summary>
    public async Task<bool> ExistsAsync(string resourceId, CancellationToken cancellationToken) =>
        await GenericResources.GetAsync(arm, resourceId, new FailureContext("check whether the resource still exists", resourceId), cancellationToken).ConfigureAwait(false) is not null;
}
