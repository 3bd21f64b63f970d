namespace Foundry.Commands;

/// <summary>The environment names the cmdlets accept by default: dev, staging, pr-&lt;digits&gt;.</summary>
internal static class EnvironmentName
{
    public const string Pattern = "^(dev|staging|pr-[0-9]{1,7})$";
}
