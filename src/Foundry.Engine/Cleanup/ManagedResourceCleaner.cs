using Azure;
using Azure.Core;
using Foundry.Engine.Environments;
using Foundry.Engine.Errors;
using Foundry.Engine.Graph;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Cleanup;

/// <summary>
/// Deletes managed resources in dependency waves, in parallel up to the throttle limit, each with its own bounded
/// retries. Resource Graph can serve stale rows, so every resource is re-read from Resource Manager first and only
/// deleted if it still carries the foundry-managed tag. NotFound counts as deleted; conflicts, locks, throttling and
/// 5xx are retried with exponential backoff (Retry-After wins); anything else fails that resource at once.
/// </summary>
public sealed class ManagedResourceCleaner
{
    private readonly EngineServices services;

    internal ManagedResourceCleaner(EngineServices services) => this.services = services;

    /// <summary>Deletes <paramref name="resourceIds"/>; each result goes to <paramref name="onResult"/> (from any thread) as it finishes.</summary>
    public Task<CleanupReport> DeleteAsync(IReadOnlyList<string> resourceIds, CleanupOptions options, string? environment, string? runId,
        Action<ResourceDeletion> onResult, IEngineReporter reporter, CancellationToken cancellationToken) =>
        CloudReachability.Guard("delete the managed resources", cancellationToken, () => DeleteCoreAsync(resourceIds, options, environment, runId, onResult, reporter, cancellationToken));

    private async Task<CleanupReport> DeleteCoreAsync(IReadOnlyList<string> resourceIds, CleanupOptions options, string? environment, string? runId,
        Action<ResourceDeletion> onResult, IEngineReporter reporter, CancellationToken cancellationToken)
    {
        if (options.ThrottleLimit < 1) throw new ArgumentOutOfRangeException(nameof(options), "ThrottleLimit must be at least 1.");
        if (options.MaxAttempts < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
        foreach (var id in resourceIds) Naming.ResourceIdInput.Validate(id);   // every id, before the first request
        var results = new System.Collections.Concurrent.ConcurrentBag<ResourceDeletion>();
        var done = 0;
        var groups = new GroupContents(services);
        var (toDelete, kept) = await groups.PlanAsync(resourceIds, cancellationToken).ConfigureAwait(false);
        var total = toDelete.Count + kept.Count;
        foreach (var group in kept)
        {
            var result = Kept(group.Key, group.Value, reporter);
            results.Add(result);
            onResult(result);
        }
        foreach (var wave in DeletionOrder.Waves(toDelete))
        {
            using var gate = new SemaphoreSlim(options.ThrottleLimit);
            await Task.WhenAll(wave.Select(async id =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var result = await DeleteOneAsync(id, options, groups, reporter, cancellationToken).ConfigureAwait(false);
                    results.Add(result);
                    onResult(result);
                    reporter.Progress("Deleting managed resources", $"{Interlocked.Increment(ref done)} of {toDelete.Count} done");
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }

        var list = results.ToList();
        // Skipped (not managed) and kept (holding foreign resources) are meant to stay: they do not count as left over.
        var remaining = await RemainingAsync(list.Where(r => r.Status is not ("skipped" or "kept")).Select(r => r.ResourceId).ToList(), cancellationToken).ConfigureAwait(false);
        // The ids came from Resource Graph, which lags: Resource Manager is asked what the environment's groups still hold.
        if (environment is not null)
        {
            var subscriptions = resourceIds.Select(id => new ResourceIdentifier(id).SubscriptionId).OfType<string>();
            await new ResourceManagerSweep(services).AddMissedAsync(remaining, subscriptions, environment, runId, cancellationToken).ConfigureAwait(false);
        }
        var status = list.Any(r => r.Status == "failed") ? "PartialFailure" : remaining.Count == 0 ? "Verified" : "VerificationFailed";
        return new CleanupReport(environment, runId, status, total, list.Count(r => r.Status == "deleted"), list, remaining);
    }

    private static ResourceDeletion Kept(string groupId, string reason, IEngineReporter reporter)
    {
        reporter.Warning($"Resource group {new ResourceIdentifier(groupId).ResourceGroupName} is {reason}");
        return new ResourceDeletion(groupId, "Microsoft.Resources/resourceGroups", "kept", 0, reason, null);
    }

    private async Task<ResourceDeletion> DeleteOneAsync(string id, CleanupOptions options, GroupContents groups, IEngineReporter reporter, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.PerResourceTimeout);
        var type = TypeOf(id);
        var attempts = 0;
        try
        {
            var resource = services.Arm.GetGenericResource(new ResourceIdentifier(id));
            Azure.ResourceManager.Resources.GenericResourceData data;
            try
            {
                data = (await resource.GetAsync(timeout.Token).ConfigureAwait(false)).Value.Data;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return new ResourceDeletion(id, type, "deleted", 0, "already gone", DateTimeOffset.UtcNow);
            }
            catch (RequestFailedException e)
            {
                throw AzureErrors.From(e, new FailureContext("re-read the resource before deleting it", id));
            }
            if (!data.Tags.TryGetValue(ManagedResourceQuery.ManagedTag, out var managed) || !managed.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                return new ResourceDeletion(id, type, "skipped", 0, "Resource Manager shows no foundry-managed tag: not Foundry's to delete (the Resource Graph row was stale).", null);
            }
            // Asked again now, after the waves before it: something may have been created in the group meanwhile.
            if (GroupContents.IsResourceGroup(id) &&
                await groups.ReasonToKeepAsync(id, new Dictionary<string, string>(data.Tags, StringComparer.OrdinalIgnoreCase), timeout.Token).ConfigureAwait(false) is { } reason)
            {
                return Kept(id, reason, reporter);
            }
            while (true)
            {
                attempts++;
                try
                {
                    var operation = await resource.DeleteAsync(WaitUntil.Started, timeout.Token).ConfigureAwait(false);
                    await new EngineOperation(operation, id, new FailureContext("delete the resource", id), services.Timings.PollingInterval).WaitAsync(timeout.Token).ConfigureAwait(false);
                    break;
                }
                catch (RequestFailedException e) when (e.Status == 404)
                {
                    break;
                }
                catch (Exception e) when (e is RequestFailedException or FoundryEngineException)
                {
                    var failure = e as FoundryEngineException ?? AzureErrors.From((RequestFailedException)e, new FailureContext("delete the resource", id));
                    if (failure.Kind == FailureKind.NotFound) break;
                    if (!Retryable(failure) || attempts >= options.MaxAttempts)
                    {
                        return new ResourceDeletion(id, type, "failed", attempts, $"{failure.ErrorId}{(failure.ErrorCode is null ? "" : $" ({failure.ErrorCode})")}: {failure.Message}", null);
                    }
                    var backoff = TimeSpan.FromTicks(Math.Min(options.MaxBackoff.Ticks, options.FirstBackoff.Ticks * (1L << Math.Min(attempts - 1, 20))));
                    if (failure.RetryAfter is { } retryAfter && retryAfter > backoff) backoff = retryAfter;
                    await Task.Delay(backoff, timeout.Token).ConfigureAwait(false);
                }
            }
            if (options.Purge) await PurgeAsync(id, data, timeout.Token).ConfigureAwait(false);
            return new ResourceDeletion(id, type, "deleted", attempts, null, DateTimeOffset.UtcNow);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ResourceDeletion(id, type, "failed", attempts, $"Timed out after {options.PerResourceTimeout.TotalSeconds:0} s.", null);
        }
        catch (FoundryEngineException e)
        {
            return new ResourceDeletion(id, type, "failed", attempts, $"{e.ErrorId}: {e.Message}", null);
        }
    }

    private async Task PurgeAsync(string id, Azure.ResourceManager.Resources.GenericResourceData data, CancellationToken cancellationToken)
    {
        var resourceId = new ResourceIdentifier(id);
        var location = data.Location.Name;
        if (resourceId.ResourceType.ToString().Equals("Microsoft.CognitiveServices/accounts", StringComparison.OrdinalIgnoreCase))
        {
            var purge = await services.Accounts.StartPurgeAsync(resourceId.SubscriptionId!, location, resourceId.ResourceGroupName!, resourceId.Name, cancellationToken).ConfigureAwait(false);
            if (purge is not null) await purge.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (resourceId.ResourceType.ToString().Equals("Microsoft.KeyVault/vaults", StringComparison.OrdinalIgnoreCase))
        {
            await services.Vaults.PurgeDeletedAsync(resourceId.SubscriptionId!, location, resourceId.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Conflicts (a parent with children, another operation), locks, throttling, server errors and timeouts are worth another try.</summary>
    private static bool Retryable(FoundryEngineException e) =>
        e.Status is 409 or 423 or 429 or >= 500 || e.Kind is FailureKind.Throttled or FailureKind.ServiceUnavailable or FailureKind.Network or FailureKind.Timeout;

    /// <summary>What still exists of the resources a query lists (each row re-checked on Resource Manager, which Resource Graph lags), plus the
    /// managed resources Resource Manager lists in the environment's groups that Graph has not indexed yet.</summary>
    public Task<CleanupReport> VerifyAsync(GraphQuery query, string? environment, string? runId, CancellationToken cancellationToken) =>
        CloudReachability.Guard("verify the cleanup", cancellationToken, () => VerifyCoreAsync(query, environment, runId, cancellationToken));

    private async Task<CleanupReport> VerifyCoreAsync(GraphQuery query, string? environment, string? runId, CancellationToken cancellationToken)
    {
        var remaining = new List<GraphResource>();
        string? token = null;
        do
        {
            var page = await services.Graph.QueryPageAsync(query, token, cancellationToken).ConfigureAwait(false);
            foreach (var row in page.Items)
            {
                if (await services.Probe.ExistsAsync(row.ResourceId, cancellationToken).ConfigureAwait(false)) remaining.Add(row);
            }
            token = page.ContinuationToken;
        }
        while (token is not null);
        // Graph lags Resource Manager by seconds: what was created just now is only in Resource Manager's listing.
        await new ResourceManagerSweep(services).AddMissedAsync(remaining, query.Subscriptions, environment, runId, cancellationToken).ConfigureAwait(false);
        return new CleanupReport(environment, runId, remaining.Count == 0 ? "Verified" : "VerificationFailed", remaining.Count, 0, Array.Empty<ResourceDeletion>(), remaining);
    }

    /// <summary>The resources that should be gone but still exist on Resource Manager (skipped ones are not ours and do not count).</summary>
    private async Task<List<GraphResource>> RemainingAsync(IReadOnlyList<string> requested, CancellationToken cancellationToken)
    {
        var remaining = new List<GraphResource>();
        foreach (var id in requested.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (await services.Probe.ExistsAsync(id, cancellationToken).ConfigureAwait(false))
            {
                var resourceId = new ResourceIdentifier(id);
                remaining.Add(new GraphResource(id, resourceId.Name, resourceId.ResourceType.ToString(), resourceId.ResourceGroupName, null, resourceId.SubscriptionId ?? "",
                    new Dictionary<string, string>()));
            }
        }
        return remaining;
    }

    private static string TypeOf(string id)
    {
        try
        {
            return new ResourceIdentifier(id).ResourceType.ToString();
        }
        catch (FormatException)
        {
            return "unknown";
        }
    }
}
