using System.Collections.Concurrent;
using Foundry.Engine.Accounts;
using Foundry.Engine.Audit;
using Foundry.Engine.Errors;
using Foundry.Engine.Graph;
using Foundry.Engine.Naming;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;

namespace Foundry.Engine.Environments;

/// <summary>
/// One command's run over one environment: what the policy wants, the names, the tags, and the record of changes
/// (planned with WhatIf, made otherwise). Steps run concurrently, so the change list is thread-safe.
/// </summary>
internal sealed class EnvironmentRun
{
    private readonly ConcurrentQueue<PlannedChange> changes = new();

    public EnvironmentRun(FoundryPolicy policy, string environment, bool whatIf, string runId, AuditLog audit, IEngineReporter reporter)
    {
        Policy = policy;
        Environment = environment;
        Settings = policy.For(environment) ?? throw new FoundryEngineException(FailureKind.InvalidRequest, "EnvironmentNotInPolicy",
            $"The policy{(policy.SourcePath is null ? "" : $" '{policy.SourcePath}'")} has no entry for environment '{environment}' (it has: {string.Join(", ", policy.Environments.Keys)}).",
            "Add the environment (or a template such as pr-*) to the policy's environments, or pick one of those listed.", target: environment);
        Names = ResourceNames.For(policy.App, environment, Settings.SubscriptionId, Settings.AccountKind);
        WhatIf = whatIf;
        RunId = runId;
        Audit = audit;
        Reporter = reporter;
    }

    public FoundryPolicy Policy { get; }
    public string Environment { get; }
    public EnvironmentPolicy Settings { get; }
    public ResourceNames Names { get; }
    public bool WhatIf { get; }
    public string RunId { get; }
    public AuditLog Audit { get; }
    public IEngineReporter Reporter { get; }
    /// <summary>The models and quota of the region the account is in, once this run has read them (placement or a deployment write).</summary>
    public RegionCatalog? Catalog { get; set; }
    public string Subscription => Settings.SubscriptionId;

    /// <summary>The environment's Key Vault: Foundry's own per environment, or the policy's existing one.</summary>
    public (string ResourceGroup, string Name) Vault => Settings.KeyVault.Create ? (Names.ResourceGroup, Names.KeyVault) : (Settings.KeyVault.ResourceGroup!, Settings.KeyVault.Name!);

    public string VaultId => VaultOperations.IdOf(Subscription, Vault.ResourceGroup, Vault.Name);

    public string AccountId => AccountOperations.IdOf(Subscription, Names.ResourceGroup, Names.Account);

    /// <summary>The error of a command that needs an environment up has made.</summary>
    public FoundryEngineException NotProvisioned(string target, string what) =>
        new(FailureKind.NotFound, EngineErrorIds.EnvironmentNotProvisioned, $"Environment '{Environment}' has no {what} ({target}).",
            $"Run New-FoundryEnvironment -Environment {Environment} first.", target: target);
    public IReadOnlyList<PlannedChange> Changes => changes.ToArray();

    /// <summary>Tags that identify the environment; compared on re-runs (the run id is not: it changes every run).</summary>
    public IReadOnlyDictionary<string, string> IdentityTags
    {
        get
        {
            var tags = Copy(Settings.RequiredTags);
            tags[ManagedResourceQuery.ManagedTag] = "true";
            tags[ManagedResourceQuery.EnvironmentTag] = Environment;
            tags[ManagedResourceQuery.AppTag] = Policy.App;
            return tags;
        }
    }

    /// <summary>Identity tags plus this run's id: what a write stamps.</summary>
    public IReadOnlyDictionary<string, string> WriteTags(IReadOnlyDictionary<string, string>? existing = null)
    {
        var tags = Copy(existing ?? new Dictionary<string, string>());
        foreach (var tag in IdentityTags) tags[tag.Key] = tag.Value;
        tags[ManagedResourceQuery.RunIdTag] = RunId;
        return tags;
    }

    /// <summary>Whether a resource's tags already carry every identity tag.</summary>
    public bool HasIdentityTags(IReadOnlyDictionary<string, string> tags) =>
        IdentityTags.All(t => tags.TryGetValue(t.Key, out var value) && value == t.Value);

    /// <summary>Records a change; unless WhatIf, runs it and audits the result.</summary>
    public async Task ChangeAsync(PlannedChange change, Func<Task> apply)
    {
        changes.Enqueue(change);
        if (WhatIf)
        {
            Reporter.Verbose($"What if: {change.Action} {change.ResourceType} {change.Target} ({change.Reason})");
            Audit.Write(new AuditRecord(DateTimeOffset.UtcNow, Environment, $"{change.Action} {change.ResourceType.Split('/').Last()}", change.Target, "Planned", RunId, change.Reason));
            return;
        }
        Reporter.Progress(Environment, $"{change.Action} {change.ResourceType.Split('/').Last()}: {change.Reason}");
        // -Verbose: the intent as the step starts; its audited result (Succeeded/Failed) follows when it ends.
        Reporter.Verbose($"{change.Action} {change.ResourceType} {change.Target}: {change.Reason}");
        try
        {
            await apply().ConfigureAwait(false);
        }
        catch (FoundryEngineException e)
        {
            Write(change, "Failed", e.ErrorId);
            throw;
        }
        Write(change, "Succeeded", change.Reason);
    }

    internal static Dictionary<string, string> Copy(IEnumerable<KeyValuePair<string, string>> source)
    {
        var copy = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in source) copy[pair.Key] = pair.Value;
        return copy;
    }

    private void Write(PlannedChange change, string result, string detail)
    {
        var record = new AuditRecord(DateTimeOffset.UtcNow, Environment, $"{change.Action} {change.ResourceType.Split('/').Last()}", change.Target, result, RunId, detail);
        Audit.Write(record);
        Reporter.Audit(record);
    }
}
