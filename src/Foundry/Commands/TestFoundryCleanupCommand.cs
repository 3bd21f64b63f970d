using System.Management.Automation;
using Foundry.Completion;
using Foundry.Engine.Graph;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsDiagnostic.Test, "FoundryCleanup", DefaultParameterSetName = nameof(ByEnvironment))]
[OutputType(typeof(FoundryCleanupReport))]
public sealed class TestFoundryCleanupCommand : FoundryCmdlet
{
    private const string ByEnvironment = nameof(ByEnvironment);
    private const string ByRunId = nameof(ByRunId);

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByEnvironment)]
    [ValidatePattern(EnvironmentName.Pattern, Options = EnvironmentName.Options)]
    [ArgumentCompleter(typeof(EnvironmentCompleter))]
    public string Environment { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = ByRunId)]
    [ValidatePattern("^[A-Za-z0-9-]{1,64}$")]
    public string RunId { get; set; } = "";

    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
    public string[]? SubscriptionId { get; set; }

    protected override void EndProcessing()
    {
        var engine = SessionConnection.Engine;
        var subscriptions = SubscriptionId ?? (SessionConnection.Options.SubscriptionId is { } current ? new[] { current } : Array.Empty<string>());
        var environment = ParameterSetName == ByEnvironment ? Environment : null;
        var runId = ParameterSetName == ByRunId ? RunId : null;
        var query = new GraphQuery(ManagedResourceQuery.Build(environment, null, runId), subscriptions);
        if (TryRun("Test-FoundryCleanup", environment ?? runId, (_, token) => engine.Cleaner.VerifyAsync(query, environment, runId, token), out var report))
        {
            WriteObject(new FoundryCleanupReport(report));
        }
    }
}
