using Foundry.Engine.Graph;

namespace Foundry.Engine.Cleanup;

/// <summary>What happened to one resource during cleanup.</summary>
/// <param name="ResourceId">The resource (or secret URI).</param>
/// <param name="ResourceType">Its type.</param>
/// <param name="Status">deleted, purged, skipped (not Foundry's), soft-deleted (purge protection keeps it until its scheduled purge date), kept (a group holding resources Foundry does not manage), failed, or planned (WhatIf).</param>
/// <param name="Attempts">Calls made for it.</param>
/// <param name="Error">Why it failed, was skipped or was kept.</param>
/// <param name="DeletedAt">When it was deleted.</param>
public sealed record ResourceDeletion(string ResourceId, string ResourceType, string Status, int Attempts, string? Error, DateTimeOffset? DeletedAt);

/// <summary>Verified, VerificationFailed, PartialFailure or ForceDeletionComplete, with the evidence.</summary>
public sealed record CleanupReport(
    string? Environment,
    string? RunId,
    string Status,
    int TotalExpected,
    int TotalDeleted,
    IReadOnlyList<ResourceDeletion> Deletions,
    IReadOnlyList<GraphResource> Remaining)
{
    /// <summary>Whether any deletion failed.</summary>
    public bool HasFailures => Deletions.Any(d => d.Status == "failed");

    /// <summary>Resource groups left in place because they hold resources Foundry does not manage (each with the reason).</summary>
    public IReadOnlyList<ResourceDeletion> Kept => Deletions.Where(d => d.Status == "kept").ToList();
}
