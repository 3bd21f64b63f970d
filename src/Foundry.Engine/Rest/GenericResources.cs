using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Foundry.Engine.Errors;

namespace Foundry.Engine.Rest;

/// <summary>
/// GET, PUT and DELETE of any resource through the SDK's GenericResource (its pipeline and long-running operation
/// handling), with Foundry's conventions: a missing resource is null, failures become Foundry errors.
/// </summary>
internal static class GenericResources
{
    public static async Task<GenericResourceData?> GetAsync(ArmClient arm, string resourceId, FailureContext context, CancellationToken cancellationToken)
    {
        try
        {
            return (await arm.GetGenericResource(new ResourceIdentifier(resourceId)).GetAsync(cancellationToken).ConfigureAwait(false)).Value.Data;
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

    public static Task<EngineOperation> StartPutAsync(ArmClient arm, string resourceId, GenericResourceData data, FailureContext context, TimeSpan pollingInterval, CancellationToken cancellationToken) =>
        AzureErrors.Guard(context, async () =>
        {
            var operation = await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Started, new ResourceIdentifier(resourceId), data, cancellationToken).ConfigureAwait(false);
            return new EngineOperation(operation, resourceId, context, pollingInterval);
        });

    /// <summary>Starts the delete; null when the resource does not exist (already deleted).</summary>
    public static async Task<EngineOperation?> StartDeleteAsync(ArmClient arm, string resourceId, FailureContext context, TimeSpan pollingInterval, CancellationToken cancellationToken)
    {
        try
        {
            var operation = await arm.GetGenericResource(new ResourceIdentifier(resourceId)).DeleteAsync(WaitUntil.Started, cancellationToken).ConfigureAwait(false);
            return new EngineOperation(operation, resourceId, context, pollingInterval);
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
}
