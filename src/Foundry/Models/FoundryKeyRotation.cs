namespace Foundry.Models;

/// <summary>
/// What a key rotation did: slots, secret versions, times, and which apps confirmed the new version. ResourceGroupName
/// and AccountName bind Get-AzCognitiveServicesAccountKey by property name; VaultName and SecretName are the secret's
/// address for Get-AzKeyVaultSecret -VaultName -Name (docs/pipelines.md).
/// </summary>
public sealed class FoundryKeyRotation
{
    internal FoundryKeyRotation(Engine.Environments.RotationRecord record, Engine.Naming.EnvironmentAddresses? addresses)
    {
        Environment = record.Environment;
        ResourceId = record.AccountId;
        SubscriptionId = addresses?.SubscriptionId ?? "";
        ResourceGroupName = FoundryEnvironmentApp.ResourceGroupOf(record.AccountId);
        AccountName = record.AccountId.Substring(record.AccountId.LastIndexOf('/') + 1);
        VaultName = addresses?.VaultName ?? "";
        SecretName = addresses?.SecretName ?? "";
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
    public string SubscriptionId { get; }
    public string ResourceGroupName { get; }
    public string AccountName { get; }
    public string VaultName { get; }
    public string SecretName { get; }
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
