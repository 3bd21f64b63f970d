namespace Foundry.Models;

/// <summary>One environment's resources, read back from Azure. ResourceId is the AI account's id.</summary>
public sealed class FoundryEnvironment
{
    internal FoundryEnvironment(Engine.Environments.EnvironmentInfo info)
    {
        Environment = info.Environment;
        SubscriptionId = info.SubscriptionId;
        ResourceGroupName = info.ResourceGroupName;
        ResourceId = info.ResourceId;
        Id = info.ResourceId;
        Name = info.AccountName;
        AccountName = info.AccountName;
        Location = info.Location;
        Endpoint = info.Endpoint;
        Deployments = info.Deployments.ToArray();
        KeyVaultName = info.KeyVaultName;
        SecretName = info.SecretName;
        SecretUri = info.SecretUri;
        SecretVersion = info.SecretVersion;
        ActiveKeySlot = info.ActiveKeySlot;
        Auth = info.Auth;
        Apps = info.Apps.Select(a => new FoundryEnvironmentApp(a)).ToArray();
        Tags = new Dictionary<string, string>(info.Tags.ToDictionary(t => t.Key, t => t.Value), StringComparer.OrdinalIgnoreCase);
        Exists = info.AccountId is not null;
    }

    public string Environment { get; }
    public string SubscriptionId { get; }
    public string ResourceGroupName { get; }
    public string ResourceId { get; }
    public string Id { get; }
    public string Name { get; }
    public string AccountName { get; }
    public string? Location { get; }
    public string? Endpoint { get; }
    public string[] Deployments { get; }
    public string KeyVaultName { get; }
    public string SecretName { get; }
    public string? SecretUri { get; }
    public string? SecretVersion { get; }
    public string? ActiveKeySlot { get; }
    /// <summary>How the apps call the deployments: "keys" (the key in Key Vault) or "entra" (their managed identities), as the account is wired; null when there is no account.</summary>
    public string? Auth { get; }
    public FoundryEnvironmentApp[] Apps { get; }
    public IReadOnlyDictionary<string, string> Tags { get; }
    public bool Exists { get; }

    public override string ToString() => ResourceId;
}

/// <summary>An app wired to an environment, with how its Key Vault reference resolves.</summary>
public sealed class FoundryEnvironmentApp
{
    internal FoundryEnvironmentApp(Engine.Environments.EnvironmentApp app)
    {
        Name = app.Name;
        ResourceId = app.ResourceId;
        KeySetting = app.KeySetting;
        ReferenceStatus = app.ReferenceStatus;
        ResolvedSecretVersion = app.ResolvedSecretVersion;
    }

    public string Name { get; }
    public string ResourceId { get; }
    public string KeySetting { get; }
    public string? ReferenceStatus { get; }
    public string? ResolvedSecretVersion { get; }

    public override string ToString() => $"{Name} ({ReferenceStatus ?? "no reference"})";
}

/// <summary>A change New-FoundryEnvironment or Repair-FoundryEnvironment plans (-WhatIf) or made.</summary>
public sealed class FoundryPlannedChange
{
    internal FoundryPlannedChange(string environment, Engine.Environments.PlannedChange change)
    {
        Environment = environment;
        Action = change.Action;
        ResourceType = change.ResourceType;
        Target = change.Target;
        Reason = change.Reason;
    }

    public string Environment { get; }
    public string Action { get; }
    public string ResourceType { get; }
    public string Target { get; }
    public string Reason { get; }

    public override string ToString() => $"{Action} {ResourceType} {Target}";
}
