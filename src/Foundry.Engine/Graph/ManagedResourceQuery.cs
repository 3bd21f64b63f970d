using System.Text;
using System.Text.RegularExpressions;

namespace Foundry.Engine.Graph;

/// <summary>
/// Builds the Resource Graph query for resources Foundry manages (tag foundry-managed), narrowed by environment,
/// resource types and run id. Inputs are validated to a strict shape rather than escaped, so nothing a caller passes
/// can change the query's structure.
/// </summary>
public static class ManagedResourceQuery
{
    /// <summary>Tag every Foundry resource carries.</summary>
    public const string ManagedTag = "foundry-managed";
    /// <summary>Tag naming the environment.</summary>
    public const string EnvironmentTag = "foundry-env";
    /// <summary>Tag naming the app.</summary>
    public const string AppTag = "foundry-app";
    /// <summary>Tag holding the id of the run that last wrote the resource.</summary>
    public const string RunIdTag = "foundry-run-id";
    /// <summary>Tag on an environment's resource group: when Foundry created it (UTC, ISO 8601), so janitors can age environments.</summary>
    public const string CreatedAtTag = "foundry-created-at";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private static readonly Regex Environment = new("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant, Timeout);
    private static readonly Regex ResourceType = new("^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$", RegexOptions.CultureInvariant, Timeout);
    private static readonly Regex RunId = new("^[A-Za-z0-9-]{1,64}$", RegexOptions.CultureInvariant, Timeout);

    /// <summary>The KQL for managed resources (Resources table, so not resource groups themselves).</summary>
    public static string Build(string? environment = null, IReadOnlyList<string>? resourceTypes = null, string? runId = null, string table = "Resources")
    {
        var query = new StringBuilder(table).Append($" | where tags['{ManagedTag}'] =~ 'true'");
        if (environment is not null)
        {
            if (!Environment.IsMatch(environment)) throw new ArgumentException($"'{environment}' is not an environment name.", nameof(environment));
            query.Append($" and tags['{EnvironmentTag}'] =~ '{environment}'");
        }
        if (resourceTypes is { Count: > 0 })
        {
            foreach (var type in resourceTypes)
            {
                if (!ResourceType.IsMatch(type)) throw new ArgumentException($"'{type}' is not a resource type such as Microsoft.CognitiveServices/accounts.", nameof(resourceTypes));
            }
            query.Append(" and type in~ (").Append(string.Join(", ", resourceTypes.Select(t => $"'{t}'"))).Append(')');
        }
        if (runId is not null)
        {
            if (!RunId.IsMatch(runId)) throw new ArgumentException($"'{runId}' is not a run id.", nameof(runId));
            query.Append($" and tags['{RunIdTag}'] == '{runId}'");
        }
        return query.Append(" | project id, name, type, location, resourceGroup, subscriptionId, tags | order by id asc").ToString();
    }
}
