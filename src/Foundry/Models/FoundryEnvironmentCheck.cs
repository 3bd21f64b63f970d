namespace Foundry.Models;

/// <summary>One check Test-FoundryEnvironment ran: what was checked, Passed/Failed/Skipped, what was found and what to do. Never key material.</summary>
public sealed class FoundryEnvironmentCheck
{
    internal FoundryEnvironmentCheck(Engine.Environments.EnvironmentCheck check)
    {
        Environment = check.Environment;
        Check = check.Check;
        Status = check.Status.ToString();
        ResourceId = check.ResourceId;
        Name = check.Name;
        ResourceGroupName = check.ResourceGroupName;
        Detail = check.Detail;
        RecommendedAction = check.RecommendedAction;
    }

    public string Environment { get; }
    public string Check { get; }
    public string Status { get; }
    public string ResourceId { get; }
    public string Name { get; }
    public string ResourceGroupName { get; }
    public string Detail { get; }
    public string? RecommendedAction { get; }

    public override string ToString() => ResourceId;
}
