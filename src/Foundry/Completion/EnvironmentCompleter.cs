using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using Foundry.Engine.Graph;
using Foundry.Engine.Policy;
using Foundry.Internal;

namespace Foundry.Completion;

/// <summary>
/// Tab completion for -Environment: the policy's named environments, plus the environments Azure has for the
/// policy's app (the foundry-env tag of managed resources, which is how pr-* environments become known) when
/// Connect-Foundry ran. Completion must feel instant and must never throw: Azure gets a short budget, its answer is
/// cached briefly, and any failure just leaves the policy's names.
/// </summary>
public sealed class EnvironmentCompleter : IArgumentCompleter
{
    private static readonly TimeSpan AzureBudget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<string[]> Names)> Discovered = new(StringComparer.Ordinal);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var word = (wordToComplete ?? "").Trim('\'', '"');
            var policy = ReadPolicy(fakeBoundParameters?["PolicyPath"] as string);
            if (policy is null) return Array.Empty<CompletionResult>();
            var names = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in policy.Environments.Keys.Where(k => k.IndexOf('*') < 0)) names[name] = $"{name} (in the policy)";
            foreach (var name in FromAzureOrNothing(policy)) if (!names.ContainsKey(name)) names[name] = $"{name} (found in Azure; policy template {Template(policy, name)})";
            return names.Where(n => n.Key.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(n => new CompletionResult(n.Key, n.Key, CompletionResultType.ParameterValue, n.Value)).ToArray();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Array.Empty<CompletionResult>();
        }
    }

    private static FoundryPolicy? ReadPolicy(string? policyPath)
    {
        string directory;
        try
        {
            directory = Runspace.DefaultRunspace?.SessionStateProxy.Path.CurrentFileSystemLocation.ProviderPath ?? Directory.GetCurrentDirectory();
        }
        catch (PSInvalidOperationException)
        {
            directory = Directory.GetCurrentDirectory();
        }
        var path = SessionConnection.PolicyPath(policyPath, directory);
        return File.Exists(path) ? PolicyReader.Read(path) : null;
    }

    private static string Template(FoundryPolicy policy, string name) =>
        policy.Environments.Keys.FirstOrDefault(k => k.IndexOf('*') >= 0 && name.StartsWith(k.TrimEnd('*'), StringComparison.Ordinal)) ?? "none";

    // Whatever goes wrong on the Azure side (no engine, a failed query), the policy's own names are still offered.
    private static IEnumerable<string> FromAzureOrNothing(FoundryPolicy policy)
    {
        try
        {
            return FromAzure(policy);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Array.Empty<string>();
        }
    }

    private static IEnumerable<string> FromAzure(FoundryPolicy policy)
    {
        if (!SessionConnection.IsConnected) return Array.Empty<string>();
        var subscriptions = policy.Environments.Values.Select(e => e.SubscriptionId).Append(SessionConnection.Options.SubscriptionId)
            .Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToArray();
        if (subscriptions.Length == 0) return Array.Empty<string>();
        var key = $"{SessionConnection.Options.ResolvedArmEndpoint}|{policy.App}|{string.Join(",", subscriptions)}";
        var now = DateTimeOffset.UtcNow;
        var entry = Discovered.AddOrUpdate(key, _ => (now, Query(policy, subscriptions)),
            (_, old) => now - old.At < CacheLifetime && !old.Names.IsFaulted ? old : (now, Query(policy, subscriptions)));
        // A slow answer is not waited for: this completion offers the policy's names and the next one gets Azure's.
        return entry.Names.Wait(AzureBudget) ? entry.Names.Result : Array.Empty<string>();
    }

    private static Task<string[]> Query(FoundryPolicy policy, string[] subscriptions)
    {
        var engine = SessionConnection.Engine;
        return Task.Run(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var names = new HashSet<string>(StringComparer.Ordinal);
            string? continuation = null;
            do
            {
                var page = await engine.Graph.QueryPageAsync(new GraphQuery(ManagedResourceQuery.Build(), subscriptions), continuation, timeout.Token).ConfigureAwait(false);
                foreach (var resource in page.Items)
                {
                    if (resource.Tags.TryGetValue(ManagedResourceQuery.AppTag, out var app) && app == policy.App &&
                        resource.Tags.TryGetValue(ManagedResourceQuery.EnvironmentTag, out var environment) && policy.For(environment) is not null &&
                        policy.IsEnvironmentName(environment))
                    {
                        names.Add(environment);
                    }
                }
                continuation = page.ContinuationToken;
            }
            while (continuation is not null);
            return names.ToArray();
        });
    }
}
