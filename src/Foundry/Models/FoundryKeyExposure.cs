namespace Foundry.Models;

/// <summary>One place an environment's key was found in a file; <see cref="Preview"/> shows the line with the key masked.</summary>
public sealed class FoundryKeyExposure
{
    internal FoundryKeyExposure(Engine.Environments.KeyExposureReport report, Engine.Secrets.KeyExposureFinding finding)
    {
        Environment = report.Environment;
        ResourceId = report.AccountId;
        Path = finding.Path;
        Line = finding.Line;
        Column = finding.Column;
        KeySlot = finding.KeySlot;
        Preview = finding.Preview;
    }

    public string Environment { get; }
    public string Path { get; }
    public int Line { get; }
    public int Column { get; }
    public string KeySlot { get; }
    public string Preview { get; }

    /// <summary>The AI account whose key this is.</summary>
    public string ResourceId { get; }

    /// <summary>path:line:column, the form editors and CI annotations jump to (a finding is a place, not a resource).</summary>
    public override string ToString() => $"{Path}:{Line}:{Column}";
}

/// <summary>What Find-FoundryKeyExposure -Rotate did: the slots regenerated and where the apps are now.</summary>
public sealed class FoundryKeyRevocation
{
    internal FoundryKeyRevocation(Engine.Environments.KeyRevocationRecord record)
    {
        Environment = record.Environment;
        ResourceId = record.AccountId;
        ExposedKeySlots = record.ExposedSlots.ToArray();
        RegeneratedKeySlots = record.RegeneratedSlots.ToArray();
        ActiveKeySlot = record.ActiveSlot;
        SecretVersion = record.Rotation?.SecretVersion;
        AppsConfirmed = record.Rotation?.AppsConfirmed.ToArray() ?? Array.Empty<string>();
        AppsPending = record.Rotation?.AppsPending.ToArray() ?? Array.Empty<string>();
        RunId = record.RunId;
    }

    public string Environment { get; }
    public string ResourceId { get; }
    public string[] ExposedKeySlots { get; }
    public string[] RegeneratedKeySlots { get; }
    public string ActiveKeySlot { get; }
    public string? SecretVersion { get; }
    public string[] AppsConfirmed { get; }
    public string[] AppsPending { get; }
    public string RunId { get; }

    public override string ToString() => ResourceId;
}
