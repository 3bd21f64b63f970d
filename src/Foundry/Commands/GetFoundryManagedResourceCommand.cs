using System.Management.Automation;
using Foundry.Completion;
using Foundry.Engine.Graph;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

/// <summary>
/// Lists managed resources through Resource Graph, page by page (each page reaches the pipeline before the next is
/// requested). -First/-Skip/-IncludeTotalCount (SupportsPaging) page the output as other PowerShell lists do.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FoundryManagedResource", SupportsPaging = true, HelpUri = HelpLinks.GetFoundryManagedResource)]
[OutputType(typeof(FoundryManagedResource))]
public sealed class GetFoundryManagedResourceCommand : FoundryCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string? Environment { get; set; }

    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
    [ArgumentCompleter(typeof(SubscriptionCompleter))]
    public string[]? SubscriptionId { get; set; }

    [Parameter]
    [ValidatePattern("^[A-Za-z0-9]+(\\.[A-Za-z0-9]+)+(/[A-Za-z0-9]+)+$")]
    [ArgumentCompleter(typeof(ResourceTypeCompleter))]
    public string[]? ResourceType { get; set; }

    [Parameter]
    [ValidatePattern("^[A-Za-z0-9-]{1,64}$")]
    public string? RunId { get; set; }

    [Parameter]
    [ValidateRange(1, 1000)]
    public int PageSize { get; set; } = 1000;

    private ulong skipped;
    private ulong written;
    private ulong total;

    protected override void ProcessRecord()
    {
        if (Environment is not null && (!FirstTimeFor(Environment) || !TryValidateEnvironment(PolicyForNames(null), Environment))) return;
        var engine = SessionConnection.Engine;
        var subscriptions = SubscriptionId ?? (SessionConnection.Options.SubscriptionId is { } current ? new[] { current } : Array.Empty<string>());
        if (subscriptions.Length == 0)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("No subscription: pass -SubscriptionId or Connect-Foundry -SubscriptionId."), "SubscriptionRequired", ErrorCategory.InvalidArgument, null));
        }
        var tables = ResourceType is null || ResourceType.Any(t => t.Equals("Microsoft.Resources/resourceGroups", StringComparison.OrdinalIgnoreCase))
            ? new[] { "Resources", "ResourceContainers" }
            : new[] { "Resources" };
        foreach (var table in tables)
        {
            var types = table == "Resources" ? ResourceType?.Where(t => !t.Equals("Microsoft.Resources/resourceGroups", StringComparison.OrdinalIgnoreCase)).ToArray() : null;
            if (table == "Resources" && types is { Length: 0 }) continue;
            var query = new GraphQuery(ManagedResourceQuery.Build(Environment, types, RunId, table), subscriptions, PageSize);
            string? token = null;
            do
            {
                // Past -First, more pages are read only to count them for -IncludeTotalCount.
                if (Full && !PagingParameters.IncludeTotalCount) return;
                if (!TryRun("Get-FoundryManagedResource", Environment, (_, cancel) => engine.Graph.QueryPageAsync(query, token, cancel), out var page)) return;
                foreach (var row in page.Items) Emit(row);
                token = page.ContinuationToken;
            }
            while (token is not null);
        }
    }

    protected override void EndProcessing()
    {
        if (PagingParameters.IncludeTotalCount) WriteObject(PagingParameters.NewTotalCount(total, 1.0));
    }

    private bool Full => written >= PagingParameters.First;

    private void Emit(GraphResource row)
    {
        total++;
        if (skipped < PagingParameters.Skip)
        {
            skipped++;
            return;
        }
        if (Full) return;
        written++;
        WriteObject(new FoundryManagedResource(row));
    }
}
