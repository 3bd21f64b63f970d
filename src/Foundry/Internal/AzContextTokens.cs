using System.Collections.Concurrent;
using System.Management.Automation;
using Foundry.Engine;

namespace Foundry.Internal;

/// <summary>
/// Tokens from the session's Az.Accounts context (Get-AzAccessToken), handed to the Engine as its token delegate
/// (Connect-Foundry -UseAzContext). Get-AzAccessToken is a PowerShell command, so it may only run on the pipeline
/// thread, while the Engine asks for tokens on background tasks: the request is queued and the running cmdlet's wait
/// loop answers it (see <see cref="TokenRequests"/>). Tokens are cached per resource until shortly before they expire.
/// </summary>
internal sealed class AzContextTokens
{
    public const string CommandName = "Get-AzAccessToken";

    private static readonly AsyncLocal<TokenRequests?> Current = new();
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    // Uses -AsSecureString where Az.Accounts offers it, so the token is not a plain string in the session, and silences
    // the breaking-change warning older Az.Accounts versions print on every call.
    private const string Fetcher = """
        param([string] $ResourceUrl, [string] $TenantId)
        $command = Get-Command -Name Get-AzAccessToken -ErrorAction Stop
        $arguments = @{ ResourceUrl = $ResourceUrl; ErrorAction = 'Stop'; WarningAction = 'SilentlyContinue' }
        if ($TenantId) { $arguments['TenantId'] = $TenantId }
        if ($command.Parameters.ContainsKey('AsSecureString')) { $arguments['AsSecureString'] = $true }
        & $command @arguments
        """;

    private readonly ConcurrentDictionary<string, EngineToken> cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly string? tenantId;

    public AzContextTokens(string? tenantId) => this.tenantId = tenantId;

    /// <summary>The Engine's token delegate.</summary>
    public Func<string[], CancellationToken, Task<EngineToken>> Provider => GetAsync;

    /// <summary>Whether the session has Az.Accounts' token command (a module, or a function standing in for it).</summary>
    public static bool IsAvailable(PSCmdlet cmdlet) => cmdlet.InvokeCommand.GetCommand(CommandName, CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) is not null;

    /// <summary>Whether Az.Accounts (or a stand-in) is loaded and Get-AzContext names a signed-in account.</summary>
    public static bool HasSignedInContext(PSCmdlet cmdlet)
    {
        // Only a session that already uses Az: Az.Accounts imported (not auto-loaded here, with a context it may have
        // saved days ago), or a function standing in for it.
        var imported = cmdlet.InvokeCommand.InvokeScript("Get-Module -Name Az.Accounts").Count > 0;
        if (!imported && cmdlet.InvokeCommand.GetCommand("Get-AzContext", CommandTypes.Function) is null) return false;
        if (!IsAvailable(cmdlet)) return false;
        try
        {
            var context = cmdlet.InvokeCommand.InvokeScript("Get-AzContext -ErrorAction SilentlyContinue -WarningAction SilentlyContinue").FirstOrDefault();
            return context?.Properties["Account"]?.Value is not null;
        }
        catch (RuntimeException)
        {
            return false;
        }
    }

    /// <summary>Makes the calling cmdlet's wait loop the one that answers token requests of Engine work started from here on.</summary>
    public static IDisposable Serve(TokenRequests requests)
    {
        var previous = Current.Value;
        Current.Value = requests;
        return new Restore(() => Current.Value = previous);
    }

    /// <summary>The resource (Get-AzAccessToken -ResourceUrl) an Azure.Core scope asks for.</summary>
    public static string ResourceOf(string scope)
    {
        var resource = scope.EndsWith("/.default", StringComparison.OrdinalIgnoreCase) ? scope.Substring(0, scope.Length - "/.default".Length) : scope;
        return resource.TrimEnd('/');
    }

    /// <summary>The Key Vault data-plane resource of a cloud (what a vault's authentication challenge names).</summary>
    public static string KeyVaultResource(FoundryCloud cloud) => cloud switch
    {
        FoundryCloud.AzureUSGovernment => "https://vault.usgovcloudapi.net",
        FoundryCloud.AzureChinaCloud => "https://vault.azure.cn",
        FoundryCloud.Local => "https://vault.localhost",
        _ => "https://vault.azure.net",
    };

    /// <summary>Runs Get-AzAccessToken on the pipeline thread; the token is cached, never written anywhere.</summary>
    public EngineToken Fetch(PSCmdlet cmdlet, string resource)
    {
        System.Collections.ObjectModel.Collection<PSObject> output;
        try
        {
            output = cmdlet.InvokeCommand.InvokeScript(true, ScriptBlock.Create(Fetcher), null, resource, tenantId);
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException)
        {
            throw Failure($"{CommandName} -ResourceUrl {resource} failed: {e.Message}", e);
        }
        var result = output.FirstOrDefault(o => o?.Properties["Token"] is not null)
            ?? throw Failure($"{CommandName} -ResourceUrl {resource} returned no token.", null);
        var token = result.Properties["Token"].Value switch
        {
            string text => text,
            PSObject { BaseObject: string text } => text,
            System.Security.SecureString secure => new System.Net.NetworkCredential("", secure).Password,
            PSObject { BaseObject: System.Security.SecureString secure } => new System.Net.NetworkCredential("", secure).Password,
            _ => "",
        };
        var expiresOn = PSObject.AsPSObject(result.Properties["ExpiresOn"]?.Value).BaseObject switch
        {
            DateTimeOffset offset => offset,
            DateTime time => new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time),
            _ => (DateTimeOffset?)null,
        };
        if (token.Length == 0 || expiresOn is null)
        {
            throw Failure($"{CommandName} -ResourceUrl {resource} returned an object without a Token and an ExpiresOn time.", null);
        }
        var fetched = new EngineToken(token, expiresOn.Value);
        cache[resource] = fetched;
        return fetched;
    }

    private Task<EngineToken> GetAsync(string[] scopes, CancellationToken cancellationToken)
    {
        var resource = ResourceOf(scopes.FirstOrDefault() ?? "");
        if (cache.TryGetValue(resource, out var cached) && cached.ExpiresOn - RefreshMargin > DateTimeOffset.UtcNow) return Task.FromResult(cached);
        var requests = Current.Value;
        if (requests is null)
        {
            return Task.FromException<EngineToken>(Failure($"A token for {resource} is needed outside a running Foundry command, where {CommandName} cannot be called.", null));
        }
        return requests.Request(this, resource, cancellationToken);
    }

    internal static FoundryEngineException Failure(string message, Exception? inner) => new(FailureKind.Unauthorized, ErrorIds.AzContextTokenFailed, message,
        "Sign in with Connect-AzAccount (Connect-AzAccount -Identity in a runbook) and check Get-AzContext, or run Connect-Foundry without -UseAzContext to use Azure.Identity's credential chain.",
        inner: inner);

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>Token requests of one cmdlet's Engine work, answered on its pipeline thread while it waits; failed once it stops waiting.</summary>
internal sealed class TokenRequests
{
    private readonly Queue<(AzContextTokens Source, string Resource, TaskCompletionSource<EngineToken> Done)> pending = new();
    private bool closed;

    public Task<EngineToken> Request(AzContextTokens source, string resource, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<EngineToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (pending)
        {
            if (closed) return Task.FromException<EngineToken>(AzContextTokens.Failure($"A token for {resource} was requested after the command finished waiting.", null));
            pending.Enqueue((source, resource, done));
        }
        var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        done.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return done.Task;
    }

    /// <summary>Answers what is queued; call on the pipeline thread.</summary>
    public void Answer(PSCmdlet cmdlet)
    {
        while (true)
        {
            (AzContextTokens Source, string Resource, TaskCompletionSource<EngineToken> Done) next;
            lock (pending)
            {
                if (pending.Count == 0) return;
                next = pending.Dequeue();
            }
            if (next.Done.Task.IsCompleted) continue;
            try
            {
                next.Done.TrySetResult(next.Source.Fetch(cmdlet, next.Resource));
            }
            catch (FoundryEngineException e)
            {
                next.Done.TrySetException(e);
            }
        }
    }

    /// <summary>Fails what is still queued and everything asked later.</summary>
    public void Close()
    {
        lock (pending)
        {
            closed = true;
            while (pending.Count > 0) pending.Dequeue().Done.TrySetException(AzContextTokens.Failure("The command finished before the token could be fetched.", null));
        }
    }
}
