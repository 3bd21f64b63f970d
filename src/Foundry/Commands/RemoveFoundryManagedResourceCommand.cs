using System.Management.Automation;
using Foundry.Completion;
using Foundry.Engine;
using Foundry.Engine.Cleanup;
using Foundry.Engine.Graph;
using Foundry.Engine.Naming;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommon.Remove, "FoundryManagedResource", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = nameof(ById), HelpUri = HelpLinks.RemoveFoundryManagedResource)]
[OutputType(typeof(FoundryResourceDeletion), typeof(FoundryCleanupReport))]
public sealed class RemoveFoundryManagedResourceCommand : FoundryCmdlet
{
    private const string ById = nameof(ById);
    private const string ByEnvironment = nameof(ByEnvironment);
    private readonly List<string> approved = new();

    [Parameter(Mandatory = true, ParameterSetName = ById, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidatePattern("^/subscriptions/[^/]+/")]
    public string[] ResourceId { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = ByEnvironment)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string Environment { get; set; } = "";

    [Parameter(ParameterSetName = ByEnvironment)]
    [ValidatePattern("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
    [ArgumentCompleter(typeof(SubscriptionCompleter))]
    public string[]? SubscriptionId { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = CleanupOptions.Default.ThrottleLimit;

    [Parameter]
    [ValidateRange(1, 20)]
    public int MaxAttempts { get; set; } = CleanupOptions.Default.MaxAttempts;

    [Parameter]
    public SwitchParameter Purge { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByEnvironment && !TryValidateEnvironment(PolicyForNames(null), Environment)) return;
        var ids = ParameterSetName == ById ? ResourceId : FindByEnvironment();
        foreach (var id in ids)
        {
            // A malformed id is refused on its own, before any prompt or request; the others still go ahead.
            try
            {
                ResourceIdInput.Validate(id);
            }
            catch (FoundryEngineException e)
            {
                WriteError(ErrorMapper.ToErrorRecord(e, id));
                continue;
            }
            Approve(id);
        }
    }

    protected override void EndProcessing()
    {
        if (IsWhatIf)
        {
            // The plan: the deletion order, children first, nothing changed.
            foreach (var wave in DeletionOrder.Waves(approved))
            {
                foreach (var id in wave) WriteObject(new FoundryResourceDeletion(new ResourceDeletion(id, TypeOf(id), "planned", 0, null, null)));
            }
            return;
        }
        if (approved.Count == 0) return;
        var engine = SessionConnection.Engine;
        var options = CleanupOptions.Default with { ThrottleLimit = ThrottleLimit, MaxAttempts = MaxAttempts, Purge = Purge.IsPresent };
        var environment = ParameterSetName == ByEnvironment ? Environment : null;
        if (TryRun("Remove-FoundryManagedResource", environment, (reporter, token) => engine.Cleaner.DeleteAsync(approved, options, environment, null,
                deletion => ((QueuedReporter)reporter).Output(new FoundryResourceDeletion(deletion)), reporter, token), out var report))
        {
            WriteObject(new FoundryCleanupReport(report));
        }
    }

    private void Approve(string id)
    {
        // -Force skips the prompt, never -WhatIf (whether given or from $WhatIfPreference).
        if (IsWhatIf)
        {
            ShouldProcessOrFail(id, "Delete managed resource");
            approved.Add(id);
        }
        else if ((Force.IsPresent && !MyInvocation.BoundParameters.ContainsKey("Confirm")) || ShouldProcessOrFail(id, "Delete managed resource"))
        {
            approved.Add(id);
        }
    }

    private IEnumerable<string> FindByEnvironment()
    {
        var engine = SessionConnection.Engine;
        var subscriptions = SubscriptionId ?? (SessionConnection.Options.SubscriptionId is { } current ? new[] { current } : Array.Empty<string>());
        var ids = new List<string>();
        foreach (var table in new[] { "Resources", "ResourceContainers" })
        {
            var query = new GraphQuery(ManagedResourceQuery.Build(Environment, null, null, table), subscriptions);
            string? token = null;
            do
            {
                if (!TryRun("Finding managed resources", Environment, (_, cancel) => engine.Graph.QueryPageAsync(query, token, cancel), out var page)) return ids;
                ids.AddRange(page.Items.Select(r => r.ResourceId));
                token = page.ContinuationToken;
            }
            while (token is not null);
        }
        return ids;
    }

    private static string TypeOf(string id)
    {
        var providers = id.LastIndexOf("/providers/", StringComparison.OrdinalIgnoreCase);
        if (providers < 0) return "Microsoft.Resources/resourceGroups";
        var parts = id.Substring(providers + "/providers/".Length).Split('/');
        return string.Join("/", new[] { parts[0] }.Concat(parts.Skip(1).Where((_, i) => i % 2 == 0)));
    }
}
