using System.Management.Automation;
using Foundry.Engine;
using Foundry.Engine.Audit;
using Foundry.Engine.Environments;
using Foundry.Engine.Policy;
using Foundry.Internal;

namespace Foundry.Commands;

/// <summary>
/// Base of every Foundry cmdlet: a stop token cancelled by Ctrl+C, and a runner that executes Engine work on a
/// background task while the pipeline thread writes its progress, verbose, warning and audit messages (Write* must
/// only be called on the pipeline thread), then returns the result or maps the Engine's error.
/// </summary>
public abstract class FoundryCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly int activityId = Math.Abs(Guid.NewGuid().GetHashCode() % 100000);

    /// <summary>Cancelled when the pipeline stops (Ctrl+C).</summary>
    protected CancellationToken PipelineStopToken => stop.Token;

    /// <inheritdoc/>
    protected override void StopProcessing() => stop.Cancel();

    /// <inheritdoc/>
    public void Dispose()
    {
        stop.Dispose();
        GC.SuppressFinalize(this);
    }

    internal string CurrentDirectory => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

    internal FoundryPolicy ReadPolicy(string? policyPath) => PolicyReader.Read(SessionConnection.PolicyPath(policyPath, CurrentDirectory));

    internal AuditLog OpenAuditLog(string? path) => new(Engine.Audit.AuditLog.ResolvePath(path) is { } resolved
        ? Path.IsPathRooted(resolved) ? resolved : Path.Combine(CurrentDirectory, resolved)
        : null);

    /// <summary>Runs Engine work, relaying its messages on this thread; returns default after writing an error when it fails.</summary>
    internal bool TryRun<T>(string activity, object? target, Func<IEngineReporter, CancellationToken, Task<T>> work, out T result)
    {
        result = default!;
        var reporter = new QueuedReporter();
        var tokenRequests = new TokenRequests();
        Task<T> task;
        using (AzContextTokens.Serve(tokenRequests)) task = Task.Run(() =>
        {
            Engine.Connection.HttpTrace.ReportTo(reporter);
            return work(reporter, PipelineStopToken);
        });
        try
        {
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(50))
            {
                Drain(reporter, activity);
                tokenRequests.Answer(this);
            }
            Drain(reporter, activity);
            result = task.GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (FoundryEngineException e)
        {
            WriteError(ErrorMapper.ToErrorRecord(e, target));
            return false;
        }
        catch (ArgumentException e)
        {
            // Rebuilt, not passed on: the record must carry no raw text or cause that could quote a key.
            var clean = new ArgumentException(Engine.Secrets.SecretScrubber.Shared.Scrub(e.Message), Engine.Errors.SanitizedException.From(e.InnerException));
            WriteError(new ErrorRecord(clean, "InvalidArgument", ErrorCategory.InvalidArgument, target));
            return false;
        }
        finally
        {
            tokenRequests.Close();
            WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>
    /// ShouldProcess for a host that may not be able to ask: the hosted engine without a UI, pwsh -NonInteractive
    /// and Azure Automation throw a host exception when a confirmation prompt is due. That becomes one terminating
    /// ConfirmationRequired error, raised before any Azure call, naming the switch that makes the run unattended.
    /// </summary>
    /// <summary>-WhatIf as PowerShell decides it: the switch's value when bound (-WhatIf:$false included), else $WhatIfPreference.</summary>
    internal bool IsWhatIf => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value)
        ? ((SwitchParameter)value).IsPresent
        : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    internal bool ShouldProcessOrFail(string target, string action)
    {
        try
        {
            return ShouldProcess(target, action);
        }
        catch (Exception e) when (e is System.Management.Automation.Host.HostException or PSInvalidOperationException or NotImplementedException or PSNotImplementedException)
        {
            var name = MyInvocation.MyCommand.Name;
            var message = $"{name} needs confirmation to '{action}' on {target}, and this session cannot prompt (a host without a user interface, pwsh -NonInteractive, or a runbook).";
            var record = new ErrorRecord(new PSInvalidOperationException(message, e), ErrorIds.ConfirmationRequired, ErrorCategory.InvalidOperation, target)
            {
                ErrorDetails = new ErrorDetails(message)
                {
                    RecommendedAction = $"Pass -Confirm:$false to run {name} unattended (CI, runbooks), or -WhatIf to see the plan; or run it in an interactive session.",
                },
            };
            ThrowTerminatingError(record);
            return false;
        }
    }

    /// <summary>Reads the policy, writing an error (before any Azure call) when it is missing or invalid.</summary>
    internal bool TryReadPolicy(string? policyPath, out FoundryPolicy policy)
    {
        try
        {
            policy = ReadPolicy(policyPath);
            return true;
        }
        catch (FoundryEngineException e)
        {
            WriteError(ErrorMapper.ToErrorRecord(e, policyPath));
            policy = null!;
            return false;
        }
    }

    /// <summary>
    /// The policy whose environmentNamePattern checks -Environment in commands that run without a policy otherwise
    /// (Get-FoundryManagedResource, Test-FoundryCleanup): the configured one when it reads, else none (the default pattern).
    /// </summary>
    internal FoundryPolicy? PolicyForNames(string? policyPath)
    {
        try
        {
            return ReadPolicy(policyPath);
        }
        catch (FoundryEngineException)
        {
            return null;
        }
    }

    /// <summary>Checks an -Environment value against the policy's pattern, writing EnvironmentNameInvalid (before any Azure call) when it fails.</summary>
    internal bool TryValidateEnvironment(FoundryPolicy? policy, string? environment)
    {
        try
        {
            Engine.Naming.EnvironmentNameRule.Validate(policy, environment);
            return true;
        }
        catch (FoundryEngineException e)
        {
            WriteError(ErrorMapper.ToErrorRecord(e, environment));
            return false;
        }
    }

    /// <summary>
    /// False when this command already handled <paramref name="environment"/>: objects piped in bind -Environment by
    /// property name one at a time, and an environment's three resources must not run the command three times.
    /// </summary>
    internal bool FirstTimeFor(string environment) => handledEnvironments.Add(environment);

    private readonly HashSet<string> handledEnvironments = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether verbose messages are wanted. A binary cmdlet's verbose preference under -Debug without -Verbose is
    /// Inquire (PowerShell's MshCommandRuntime): every verbose line would prompt, and fail in pwsh -NonInteractive, so
    /// `-Debug` alone (the HTTP trace) writes verbose lines only when $VerbosePreference asks for them.
    /// </summary>
    private bool VerboseWanted => verboseWanted ??= !MyInvocation.BoundParameters.ContainsKey("Debug") || MyInvocation.BoundParameters.ContainsKey("Verbose") ||
        (GetVariableValue("VerbosePreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore);

    private bool? verboseWanted;

    private void Drain(QueuedReporter reporter, string activity)
    {
        while (reporter.Messages.TryDequeue(out var message))
        {
            switch (message.Kind)
            {
                case "progress":
                    WriteProgress(new ProgressRecord(activityId, activity, message.Text) { PercentComplete = -1 });
                    break;
                case "verbose":
                    if (VerboseWanted) WriteVerbose(message.Text);
                    break;
                case "debug":
                    WriteDebug(message.Text);
                    break;
                case "warning":
                    WriteWarning(message.Text);
                    break;
                case "object":
                    WriteObject(message.Data);
                    break;
                case "audit":
                    WriteInformation(new Models.FoundryAuditRecord((AuditRecord)message.Data!), new[] { "Foundry", "Audit" });
                    if (VerboseWanted) WriteVerbose(message.Text);
                    break;
            }
        }
    }
}
