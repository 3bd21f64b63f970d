using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Realism;

namespace Foundry.Emulator.State;

/// <summary>
/// The running local cloud: its state, the clock, fault rules, operation timings and request log, and the
/// hooks each Azure area registers (what an operation does when it completes, what deleting a type means).
/// Handlers run under <see cref="Sync"/>, one request at a time, as a single Resource Manager region would
/// appear to a client.
/// </summary>
public sealed class LocalCloud
{
    private readonly Dictionary<string, Action<LocalCloud, LongRunningOperation>> completionHandlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Action<LocalCloud, ArmResource>> deleteHooks = new(StringComparer.OrdinalIgnoreCase);
    private readonly string? stateFile;

    public LocalCloud(EmulatorOptions options)
    {
        Time = options.Time;
        stateFile = options.StateFile;
        State = LoadOrCreate(options);
        Log.Enabled = options.RecordRequests;
        Realism = options.Realism;
        Timings.Baseline = key => RealismTimings.For(options.Realism, key);
        Throttle = new Throttling.ArmThrottle(options.Throttling ?? options.Realism.Throttling);
        Identity = options.Identity;
        CatalogPageSize = Math.Max(1, options.CatalogPageSize ?? options.Realism.CatalogPageSize);
    }

    /// <summary>Items per page of the models and usages lists (see <see cref="Realism.RealismProfile.CatalogPageSize"/>).</summary>
    public int CatalogPageSize { get; }

    public object Sync { get; } = new();
    public EmulatorState State { get; private set; }
    public TimeProvider Time { get; }
    public DateTimeOffset Now => Time.GetUtcNow();

    private readonly DateTimeOffset started = TimeProvider.System.GetUtcNow();
    private TimeSpan? catalogueOffset;

    /// <summary>
    /// The model catalogue's clock: what its lifecycle statuses and the models list's Date header go by. It starts at
    /// the date of the retirement table the catalogue copies and runs from the emulator's start (so the published dates
    /// stay meaningful whatever day the tests run on); tests move it with SetCatalogueNow or PUT /_emulator/clock. The
    /// emulator's own clock (tokens, timestamps) is not moved.
    /// </summary>
    public DateTimeOffset CatalogueNow
    {
        get
        {
            var real = TimeProvider.System.GetUtcNow();
            lock (Sync) return real + (catalogueOffset ?? CognitiveServices.ModelCatalog.TableDate - started);
        }
    }

    /// <summary>Sets the model catalogue's clock to <paramref name="now"/> (it runs on from there); null puts back the default.</summary>
    public void SetCatalogueNow(DateTimeOffset? now)
    {
        lock (Sync) catalogueOffset = now is { } value ? value - TimeProvider.System.GetUtcNow() : null;
    }
    public FaultInjector Faults { get; } = new();
    public OperationTimings Timings { get; } = new();
    public RequestLog Log { get; } = new();

    /// <summary>What the local token endpoints issue tokens for, and for how long.</summary>
    public Identity.IdentityOptions Identity { get; }

    /// <summary>Signs and verifies the tokens the local token endpoints issue.</summary>
    public Identity.JsonWebTokens Tokens { get; } = new();

    /// <summary>Resource Manager's token buckets per subscription, principal and kind of operation.</summary>
    public Throttling.ArmThrottle Throttle { get; }

    /// <summary>What the control surface requires (random per start; in the connection file, which only the user can read).</summary>
    public string ControlToken { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    /// <summary>How hard the cloud is (fast or realistic delays); see docs/emulator.md.</summary>
    public RealismProfile Realism { get; private set; }

    /// <summary>Resource Graph's lagging copy of the resources (used when the profile has an index lag).</summary>
    public GraphIndex GraphIndex { get; } = new();

    /// <summary>Registers what happens when an operation with this handler name completes.</summary>
    public void OnOperationComplete(string handler, Action<LocalCloud, LongRunningOperation> complete) =>
        completionHandlers[handler] = complete;

    /// <summary>Registers what deleting a resource of this type means (soft delete, cascading…).</summary>
    public void OnDelete(string resourceType, Action<LocalCloud, ArmResource> hook) => deleteHooks[resourceType] = hook;

    /// <summary>Starts an operation that completes after the configured time for <paramref name="timingKey"/>.</summary>
    public LongRunningOperation StartOperation(
        string subscriptionId, string provider, string? location, string resourceId, string handler,
        string timingKey, string runningStatus, JsonObject? data = null)
    {
        var operation = new LongRunningOperation
        {
            Id = Guid.NewGuid().ToString(),
            SubscriptionId = subscriptionId,
            Provider = provider,
            Location = location,
            ResourceId = resourceId,
            Handler = handler,
            Status = runningStatus,
            StartTime = Now,
            CompletesAt = Now + Timings.For(timingKey),
            Data = data,
        };
        State.Operations[operation.Id] = operation;
        return operation;
    }

    /// <summary>Finishes every operation whose time is up. Called before each request is served.</summary>
    public void Settle()
    {
        var now = Now;
        foreach (var operation in State.Operations.Values.Where(o => !o.IsTerminal && o.CompletesAt <= now).OrderBy(o => o.CompletesAt).ToList())
        {
            if (completionHandlers.TryGetValue(operation.Handler, out var complete)) complete(this, operation);
            if (!operation.IsTerminal) operation.Status = "Succeeded";
            operation.EndTime = now;
        }
    }

    /// <summary>
    /// Deletes a resource the way Azure does: children and extension resources (role assignments at its scope)
    /// go with it, and a type's delete hook runs first (e.g. soft delete of AI accounts and vaults).
    /// </summary>
    public void DeleteResource(ArmResource resource)
    {
        // The parent's hook runs first, while its children still exist (a soft-deleted account keeps its deployments).
        if (deleteHooks.TryGetValue(resource.Type, out var hook)) hook(this, resource);
        foreach (var child in State.Descendants(resource.Id).OrderByDescending(r => r.Id.Length))
        {
            if (deleteHooks.TryGetValue(child.Type, out var childHook)) childHook(this, child);
            State.Resources.Remove(EmulatorState.Key(child.Id));
        }
        State.Resources.Remove(EmulatorState.Key(resource.Id));
    }

    /// <summary>Seeds a policy assignment (replacing one with the same id): Resource Manager applies it from the next request on.</summary>
    public void AssignPolicy(PolicyAssignment assignment)
    {
        lock (Sync)
        {
            State.PolicyAssignments.RemoveAll(a => a.Id.Equals(assignment.Id, StringComparison.OrdinalIgnoreCase));
            State.PolicyAssignments.Add(assignment);
            Save();
        }
    }

    /// <summary>Replaces the whole state (tests' reset, the control surface's load).</summary>
    public void Reset(EmulatorState? state = null, IEnumerable<string>? subscriptions = null)
    {
        State = state ?? new EmulatorState
        {
            TenantId = State.TenantId,
            Subscriptions = (subscriptions ?? State.Subscriptions).ToList(),
        };
        Faults.Clear();
        Timings.Clear();
        Log.Clear();
        Throttle.Clear();
        GraphIndex.Clear();
    }

    /// <summary>
    /// Writes the state file, when there is one (0600, write-then-rename: it holds every key and secret value in clear).
    /// Called after each mutating request.
    /// </summary>
    public void Save()
    {
        if (Realism.GraphIndexLagMax > TimeSpan.Zero) GraphIndex.Observe(this, r => ResourceGraph.ResourceGraphArea.Row(r, State.TenantId));
        if (stateFile is null) return;
        PrivateFile.WriteAllText(stateFile, State.Serialize());
    }

    private static EmulatorState LoadOrCreate(EmulatorOptions options)
    {
        if (options.StateFile is not null && File.Exists(options.StateFile))
        {
            var loaded = EmulatorState.Deserialize(File.ReadAllText(options.StateFile));
            if (loaded.Subscriptions.Count == 0) loaded.Subscriptions = options.Subscriptions.ToList();
            return loaded;
        }
        return new EmulatorState { TenantId = options.TenantId, Subscriptions = options.Subscriptions.ToList() };
    }
}
