namespace Foundry.Models;

/// <summary>What a key rotation did: slots, secret versions, times, and which apps confirmed the new version.</summary>
public sealed class FoundryKeyRotation
{
    internal FoundryKeyRotation(Engine.Environments.RotationRecord record)
    {
        Environment = record.Environment;
        ResourceId = record.AccountId;
        PreviousKeySlot = record.PreviousSlot;
        NewKeySlot = record.NewSlot;
        PreviousSecretVersion = record.PreviousSecretVersion;
        SecretVersion = record.SecretVersion;
        StartedAt = record.StartedAt;
        CompletedAt = record.CompletedAt;
        AppsConfirmed = record.AppsConfirmed.ToArray();
        AppsPending = record.AppsPending.ToArray();
        WhatIf = record.WhatIf;
        RunId = record.RunId;
    }

    public string Environment { get; }
    public string ResourceId { get; }
    public string PreviousKeySlot { get; }
    public string NewKeySlot { get; }
    public string? PreviousSecretVersion { get; }
    public string? SecretVersion { get; }
    public DateTimeOffset StartedAt { get; }
    public DateTimeOffset? CompletedAt { get; }
    public string[] AppsConfirmed { get; }
    public string[] AppsPending { get; }
    public bool WhatIf { get; }
    public string RunId { get; }

    public override string ToString() => ResourceId;
}
