using System.Management.Automation;
using Foundry.Completion;
using Foundry.Engine.Cleanup;
using Foundry.Engine.Graph;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsDiagnostic.Test, "FoundryCleanup", DefaultParameterSetName = nameof(ByEnvironment), HelpUri = HelpLinks.TestFoundryCleanup)]
[OutputType(typeof(FoundryCleanupReport))]
public sealed class TestFoundryCleanupCommand : FoundryCmdlet
{
    private const string ByEnvironment = nameof(ByEnvironment);
    private const string ByRunId = nameof(ByRunId);

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByEnvironment, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string Environment { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ByRunId)]
    [ValidatePattern("^[A-Za-z0-9-]{1,64}$")]
    public string RunId { get; set; } = "";

    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
    [ArgumentCompleter(typeof(SubscriptionCompleter))]
    public string[]? SubscriptionId { get; set; }

    protected override void ProcessRecord()
    {
        var environment = ParameterSetName == ByEnvironment ? Environment : null;
        var runId = ParameterSetName == ByRunId ? RunId : null;
        if (environment is not null && (!FirstTimeFor(environment) || !TryValidateEnvironment(PolicyForNames(null), environment))) return;
        var engine = SessionConnection.Engine;
        var subscriptions = SubscriptionId ?? (SessionConnection.Options.SubscriptionId is { } current ? new[] { current } : Array.Empty<string>());
        // Both tables, as Get-FoundryManagedResource lists them: the resources and their resource groups (ResourceContainers).
        var remaining = new List<GraphResource>();
        foreach (var table in new[] { "Resources", "ResourceContainers" })
        {
            var query = new GraphQuery(ManagedResourceQuery.Build(environment, null, runId, table), subscriptions);
            if (!TryRun("Test-FoundryCleanup", environment ?? runId, (_, token) => engine.Cleaner.VerifyAsync(query, environment, runId, token), out var report)) return;
            remaining.AddRange(report.Remaining.Where(r => !remaining.Any(seen => string.Equals(seen.ResourceId, r.ResourceId, StringComparison.OrdinalIgnoreCase))));
        }
        // A verification deletes nothing: every managed resource it finds is expected gone and still there.
        WriteObject(new FoundryCleanupReport(new CleanupReport(environment, runId, remaining.Count == 0 ? "Verified" : "VerificationFailed", remaining.Count, 0,
            Array.Empty<ResourceDeletion>(), remaining)));
    }
}
