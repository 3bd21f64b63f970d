namespace Foundry.Models;

/// <summary>The cloud, tenant and subscription Foundry is connected to.</summary>
public sealed class FoundryConnection
{
    internal FoundryConnection(Engine.ConnectionInfo info)
    {
        Cloud = info.Cloud;
        Endpoint = info.Endpoint;
        TenantId = info.TenantId;
        SubscriptionId = info.SubscriptionId;
        SubscriptionName = info.SubscriptionName;
        State = info.State;
    }

    public string Cloud { get; }
    public string Endpoint { get; }
    public string TenantId { get; }
    public string SubscriptionId { get; }
    public string? SubscriptionName { get; }
    public string? State { get; }

    public override string ToString() => $"{Cloud} {SubscriptionId}";
}
