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
        DeploymentDetails = (info.DeploymentDetails ?? Array.Empty<Engine.Environments.EnvironmentDeployment>()).Select(d => new FoundryEnvironmentDeployment(d)).ToArray();
        KeyVaultName = info.KeyVaultName;
        SecretName = info.SecretName;
        SecretUri = info.SecretUri;
        SecretVersion = info.SecretVersion;
        ActiveKeySlot = info.ActiveKeySlot;
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
    /// <summary>Each deployment's model, version, upgrade option and the version's retirement date with the days left.</summary>
    public FoundryEnvironmentDeployment[] DeploymentDetails { get; }
    public string KeyVaultName { get; }
    public string SecretName { get; }
    public string? SecretUri { get; }
    public string? SecretVersion { get; }
    public string? ActiveKeySlot { get; }
    public FoundryEnvironmentApp[] Apps { get; }
    public IReadOnlyDictionary<string, string> Tags { get; }
    public bool Exists { get; }

    public override string ToString() => ResourceId;
}

/// <summary>A deployment of an environment, with its model version's retirement date (Azure's models list) and the days left.</summary>
public sealed class FoundryEnvironmentDeployment
{
    internal FoundryEnvironmentDeployment(Engine.Environments.EnvironmentDeployment deployment)
    {
        Name = deployment.Name;
        Model = deployment.Model;
        Version = deployment.Version;
        VersionUpgradeOption = deployment.VersionUpgradeOption;
        RetiresOn = deployment.RetiresOn;
        DaysLeft = deployment.DaysLeft;
    }

    public string Name { get; }
    public string Model { get; }
    public string Version { get; }
    public string? VersionUpgradeOption { get; }
    public DateTimeOffset? RetiresOn { get; }
    public int? DaysLeft { get; }

    public override string ToString() => RetiresOn is { } date ? $"{Name} ({Model} {Version}, retires {date:yyyy-MM-dd}, {DaysLeft} days left)" : $"{Name} ({Model} {Version})";
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
