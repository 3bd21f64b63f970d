namespace Foundry.Engine.Graph;

/// <summary>One resource as Azure Resource Graph reports it (it may lag Resource Manager).</summary>
public sealed record GraphResource(
    string ResourceId,
    string Name,
    string ResourceType,
    string? ResourceGroupName,
    string? Location,
    string SubscriptionId,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>A Resource Graph query over some subscriptions.</summary>
/// <param name="Kql">The query; it must project id, name, type, location, resourceGroup, subscriptionId and tags.</param>
/// <param name="Subscriptions">Subscriptions in scope (any number: they are sent in groups).</param>
/// <param name="PageSize">Rows per page ($top, 1–1000).</param>
public sealed record GraphQuery(string Kql, IReadOnlyList<string> Subscriptions, int PageSize = 1000);
