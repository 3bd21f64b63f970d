using System.Management.Automation;
using Foundry.Engine;
using Foundry.Engine.Environments;

namespace Foundry.Internal;

/// <summary>
/// Runs one Engine call per pipeline environment, up to a throttle limit at once (jborean93's AsyncPSCmdlet shape):
/// workers only enqueue — progress, verbose, warning and audit messages into their own <see cref="QueuedReporter"/>,
/// their result or error into a completion queue — and the pipeline thread, the only one that may call Write*, drains
/// both while it waits for a free slot (ProcessRecord) or for the last run (EndProcessing). Each environment gets a
/// child progress record under the command's, its output as soon as it finishes, and its own error (target: the
/// environment); one failure does not stop the others. Ctrl+C cancels every run through the shared stop token.
/// </summary>
internal sealed class EnvironmentFanOut : IDisposable
{
    private readonly PSCmdlet cmdlet;
    private readonly string activity;
    private readonly int parentActivityId;
    private readonly SemaphoreSlim slots;
    private readonly CancellationToken stopToken;
    private readonly TokenRequests tokenRequests = new();
    private readonly List<Run> running = new();
    private int started;
    private int finished;

    public EnvironmentFanOut(PSCmdlet cmdlet, string activity, int throttleLimit, CancellationToken stopToken)
    {
        this.cmdlet = cmdlet;
        this.activity = activity;
        this.stopToken = stopToken;
        parentActivityId = Math.Abs(Guid.NewGuid().GetHashCode() % 100000);
        slots = new SemaphoreSlim(throttleLimit, throttleLimit);
    }

    /// <summary>
    /// Starts <paramref name="work"/> for <paramref name="environment"/> once a slot is free (writing what finished
    /// meanwhile); <paramref name="complete"/> runs on the pipeline thread with the result.
    /// </summary>
    public void Start<T>(string environment, Func<IEngineReporter, CancellationToken, Task<T>> work, Action<T> complete)
    {
        while (!slots.Wait(50, stopToken)) Drain();
        var run = new Run(environment, parentActivityId + 1 + started++ % 1000, new QueuedReporter());
        Task task;
        using (AzContextTokens.Serve(tokenRequests))
        {
            task = Task.Run(async () =>
            {
                try
                {
                    var result = await work(run.Reporter, stopToken).ConfigureAwait(false);
                    run.Complete = () => complete(result);
                }
                finally
                {
                    slots.Release();
                }
            });
        }
        run.Task = task;
        lock (running) running.Add(run);
        Drain();
    }

    /// <summary>Waits for every run, writing as each finishes.</summary>
    public void WaitAll()
    {
        try
        {
            while (true)
            {
                Drain();
                Run[] left;
                lock (running) left = running.ToArray();
                if (left.Length == 0) break;
                Task.WaitAny(left.Select(r => r.Task).ToArray(), 50);
            }
        }
        finally
        {
            tokenRequests.Close();
            if (started > 0) cmdlet.WriteProgress(new ProgressRecord(parentActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    public void Dispose() => slots.Dispose();

    private void Drain()
    {
        tokenRequests.Answer(cmdlet);
        Run[] current;
        lock (running) current = running.ToArray();
        foreach (var run in current)
        {
            Relay(run);
            if (!run.Task.IsCompleted) continue;
            lock (running) running.Remove(run);
            finished++;
            cmdlet.WriteProgress(new ProgressRecord(run.ActivityId, run.Environment, "Done") { ParentActivityId = parentActivityId, RecordType = ProgressRecordType.Completed });
            try
            {
                run.Task.GetAwaiter().GetResult();
                run.Complete?.Invoke();
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (FoundryEngineException e)
            {
                cmdlet.WriteError(ErrorMapper.ToErrorRecord(e, run.Environment, environmentTarget: run.Environment));
            }
        }
        if (stopToken.IsCancellationRequested) throw new PipelineStoppedException();
        if (started > 0)
        {
            cmdlet.WriteProgress(new ProgressRecord(parentActivityId, activity, $"{finished} of {started} environment(s) done, {started - finished} running") { PercentComplete = -1 });
        }
    }

    private void Relay(Run run)
    {
        while (run.Reporter.Messages.TryDequeue(out var message))
        {
            switch (message.Kind)
            {
                case "progress":
                    cmdlet.WriteProgress(new ProgressRecord(run.ActivityId, run.Environment, message.Text) { ParentActivityId = parentActivityId, PercentComplete = -1 });
                    break;
                case "verbose":
                    cmdlet.WriteVerbose($"[{run.Environment}] {message.Text}");
                    break;
                case "warning":
                    cmdlet.WriteWarning($"[{run.Environment}] {message.Text}");
                    break;
                case "object":
                    cmdlet.WriteObject(message.Data);
                    break;
                case "audit":
                    cmdlet.WriteInformation(message.Data, new[] { "Foundry", "Audit" });
                    cmdlet.WriteVerbose($"[{run.Environment}] {message.Text}");
                    break;
            }
        }
    }

    private sealed class Run(string environment, int activityId, QueuedReporter reporter)
    {
        public string Environment { get; } = environment;
        public int ActivityId { get; } = activityId;
        public QueuedReporter Reporter { get; } = reporter;
        public Task Task { get; set; } = Task.CompletedTask;
        public Action? Complete { get; set; }
    }
}
