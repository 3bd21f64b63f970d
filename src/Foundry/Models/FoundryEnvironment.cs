namespace Foundry.Models;

/// <summary>
/// One environment's resources, read back from Azure. ResourceId is the AI account's id. Property names bind Az cmdlets
/// by property name (docs/pipelines.md): ResourceGroupName and AccountName (Get-AzCognitiveServicesAccountKey),
/// VaultName (Get-AzKeyVault). No Name or Id property: Remove-AzResourceGroup binds -Name (alias ResourceGroupName)
/// and would take the account's name for a resource group's.
/// </summary>
public sealed class FoundryEnvironment
{
    internal FoundryEnvironment(Engine.Environments.EnvironmentInfo info)
    {
        Environment = info.Environment;
        SubscriptionId = info.SubscriptionId;
        ResourceGroupName = info.ResourceGroupName;
        ResourceId = info.ResourceId;
        AccountName = info.AccountName;
        Location = info.Location;
        Endpoint = info.Endpoint;
        Deployments = info.Deployments.ToArray();
        DeploymentDetails = (info.DeploymentDetails ?? Array.Empty<Engine.Environments.EnvironmentDeployment>()).Select(d => new FoundryEnvironmentDeployment(d)).ToArray();
        KeyVaultName = info.KeyVaultName;
        VaultName = info.KeyVaultName;
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
    public string AccountName { get; }
    public string? Location { get; }
    public string? Endpoint { get; }
    public string[] Deployments { get; }
    /// <summary>Each deployment's model, version, upgrade option and the version's retirement date with the days left.</summary>
    public FoundryEnvironmentDeployment[] DeploymentDetails { get; }
    public string KeyVaultName { get; }
    /// <summary>The vault, under the name Az.KeyVault's cmdlets use (-VaultName).</summary>
    public string VaultName { get; }
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
        Sku = deployment.Sku;
        Capacity = deployment.Capacity;
    }

    public string Name { get; }
    public string Model { get; }
    public string Version { get; }
    public string? VersionUpgradeOption { get; }
    public DateTimeOffset? RetiresOn { get; }
    public int? DaysLeft { get; }

    /// <summary>The deployment's SKU (Standard, GlobalStandard, ProvisionedManaged, …).</summary>
    public string? Sku { get; }

    /// <summary>The deployment's capacity in the SKU's units (thousands of tokens per minute for Standard SKUs, PTUs for provisioned).</summary>
    public int? Capacity { get; }

    public override string ToString() => RetiresOn is { } date
        ? $"{Name} ({Model} {Version}, {Sku} {Capacity}, retires {date:yyyy-MM-dd}, {DaysLeft} days left)"
        : $"{Name} ({Model} {Version}, {Sku} {Capacity})";
}

/// <summary>An app wired to an environment, with how its Key Vault reference resolves.</summary>
public sealed class FoundryEnvironmentApp
{
    internal FoundryEnvironmentApp(Engine.Environments.EnvironmentApp app)
    {
        Name = app.Name;
        ResourceId = app.ResourceId;
        ResourceGroupName = ResourceGroupOf(app.ResourceId);
        KeySetting = app.KeySetting;
        ReferenceStatus = app.ReferenceStatus;
        ResolvedSecretVersion = app.ResolvedSecretVersion;
    }

    public string Name { get; }
    public string ResourceGroupName { get; }
    public string ResourceId { get; }
    public string KeySetting { get; }
    public string? ReferenceStatus { get; }
    public string? ResolvedSecretVersion { get; }

    public override string ToString() => $"{Name} ({ReferenceStatus ?? "no reference"})";

    internal static string ResourceGroupOf(string resourceId)
    {
        var parts = resourceId.Split('/');
        var index = Array.FindIndex(parts, p => p.Equals("resourceGroups", StringComparison.OrdinalIgnoreCase));
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : "";
    }
}

/// <summary>
/// A change New-, Repair-FoundryEnvironment or Invoke-FoundryKeyRotation plans (-WhatIf) or made. ResourceId is the full
/// Resource Manager id of what changes (a secret: its vault's id + /secrets/{name}); Target is the address the engine
/// used (a secret's data-plane URI).
/// </summary>
public sealed class FoundryPlannedChange
{
    internal FoundryPlannedChange(string environment, Engine.Environments.PlannedChange change, Engine.Naming.EnvironmentAddresses? addresses)
    {
        Environment = environment;
        Action = change.Action;
        ResourceType = ArmResourceType.Of(change.ResourceType);
        Target = change.Target;
        ResourceId = addresses?.ResourceIdOf(change) ?? change.Target;
        Reason = change.Reason;
    }

    public string Environment { get; }
    public string Action { get; }
    public string ResourceType { get; }
    public string ResourceId { get; }
    public string Target { get; }
    public string Reason { get; }

    public override string ToString() => $"{Action} {ResourceType} {ResourceId}";
}
