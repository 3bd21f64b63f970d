namespace Foundry.Models;

/// <summary>A resource Foundry manages, as Resource Graph lists it; binds Remove-AzResource -ResourceId by property name.</summary>
public sealed class FoundryManagedResource
{
    internal FoundryManagedResource(Engine.Graph.GraphResource resource)
    {
        ResourceId = resource.ResourceId;
        Id = resource.ResourceId;
        Name = resource.Name;
        ResourceType = ArmResourceType.FromId(resource.ResourceId, resource.ResourceType);
        ResourceGroupName = resource.ResourceGroupName;
        Location = resource.Location;
        SubscriptionId = resource.SubscriptionId;
        Tags = new Dictionary<string, string>(resource.Tags.ToDictionary(t => t.Key, t => t.Value), StringComparer.OrdinalIgnoreCase);
        Environment = resource.Tags.TryGetValue("foundry-env", out var env) ? env : null;
    }

    public string ResourceId { get; }
    public string Id { get; }
    public string Name { get; }
    public string ResourceType { get; }
    public string? ResourceGroupName { get; }
    public string? Location { get; }
    public string SubscriptionId { get; }
    public IReadOnlyDictionary<string, string> Tags { get; }
    public string? Environment { get; }

    public override string ToString() => ResourceId;
}

/// <summary>What happened to one resource during cleanup.</summary>
public sealed class FoundryResourceDeletion
{
    internal FoundryResourceDeletion(Engine.Cleanup.ResourceDeletion deletion)
    {
        ResourceId = deletion.ResourceId;
        ResourceType = ArmResourceType.Of(deletion.ResourceType);
        Status = deletion.Status;
        Attempts = deletion.Attempts;
        Error = deletion.Error;
        DeletedAt = deletion.DeletedAt;
    }

    public string ResourceId { get; }
    public string ResourceType { get; }
    public string Status { get; }
    public int Attempts { get; }
    public string? Error { get; }
    public DateTimeOffset? DeletedAt { get; }

    public override string ToString() => ResourceId;
}

/// <summary>
/// The outcome of a cleanup: Verified, VerificationFailed, PartialFailure (or Planned with -WhatIf), with evidence.
/// TotalExpected: resources the run expected to be gone; TotalDeleted: those it deleted; TotalRemaining: those still there
/// (Remaining lists them, resource groups included). Test-FoundryCleanup deletes nothing, so for it TotalExpected = TotalRemaining.
/// </summary>
public sealed class FoundryCleanupReport
{
    internal FoundryCleanupReport(Engine.Cleanup.CleanupReport report)
    {
        Environment = report.Environment;
        RunId = report.RunId;
        Status = report.Status;
        TotalExpected = report.TotalExpected;
        TotalDeleted = report.TotalDeleted;
        Deletions = report.Deletions.Select(d => new FoundryResourceDeletion(d)).ToArray();
        Remaining = report.Remaining.Select(r => new FoundryManagedResource(r)).ToArray();
        TotalRemaining = report.Remaining.Count;
        // A verification that finds resources left is a failure as much as a failed delete.
        HasFailures = report.HasFailures || report.Status == "VerificationFailed";
        Kept = report.Kept.Select(d => new FoundryResourceDeletion(d)).ToArray();
    }

    public string? Environment { get; }
    public string? RunId { get; }
    public string Status { get; }
    public int TotalExpected { get; }
    public int TotalDeleted { get; }
    public FoundryResourceDeletion[] Deletions { get; }
    public FoundryManagedResource[] Remaining { get; }
    /// <summary>Managed resources still there after the run (for Test-FoundryCleanup: every one it found, each expected gone).</summary>
    public int TotalRemaining { get; }
    /// <summary>True when a deletion failed or the verification found resources left (Status VerificationFailed).</summary>
    public bool HasFailures { get; }
    /// <summary>Resource groups left in place because they hold resources Foundry does not manage; Error says which.</summary>
    public FoundryResourceDeletion[] Kept { get; }

    public override string ToString() => $"{Status} ({TotalDeleted}/{TotalExpected} deleted)";
}
