using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Foundry.Internal;

namespace Foundry.Completion;

/// <summary>
/// Tab completion for -SubscriptionId: the subscription of the connection (Connect-Foundry, or FOUNDRY_SUBSCRIPTION_ID)
/// and those the policy's environments name. No Azure call, never throws.
/// </summary>
public sealed class SubscriptionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var word = (wordToComplete ?? "").Trim('\'', '"');
            var found = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (SessionConnection.Options.SubscriptionId is { Length: > 0 } connected) found[connected] = $"{connected} (the connection's)";
            try
            {
                var policy = Engine.Policy.PolicyReader.Read(SessionConnection.PolicyPath(null, Directory.GetCurrentDirectory()));
                foreach (var entry in policy.Environments)
                {
                    if (!found.ContainsKey(entry.Value.SubscriptionId)) found[entry.Value.SubscriptionId] = $"{entry.Value.SubscriptionId} (policy: {entry.Key})";
                }
            }
            catch (Engine.FoundryEngineException)
            {
                // No readable policy: the connection's subscription alone.
            }
            return found.Where(s => s.Key.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(s => new CompletionResult(s.Key, s.Key, CompletionResultType.ParameterValue, s.Value)).ToArray();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Tab completion for -ResourceType: the types Foundry manages, in Resource Manager's casing.</summary>
public sealed class ResourceTypeCompleter : IArgumentCompleter
{
    internal static readonly string[] ManagedTypes =
    {
        "Microsoft.CognitiveServices/accounts",
        "Microsoft.CognitiveServices/accounts/deployments",
        "Microsoft.KeyVault/vaults",
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        "Microsoft.Resources/resourceGroups",
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        return ManagedTypes.Where(t => t.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(t => new CompletionResult(t, t, CompletionResultType.ParameterValue, t)).ToArray();
    }
}
