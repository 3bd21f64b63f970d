using System.Management.Automation;
using Foundry.Internal;
using Foundry.Models;

namespace Foundry.Commands;

[Cmdlet(VerbsCommunications.Connect, "Foundry", HelpUri = HelpLinks.ConnectFoundry)]
[OutputType(typeof(FoundryConnection))]
public sealed class ConnectFoundryCommand : FoundryCmdlet
{
    [Parameter]
    [ValidateSet("AzureCloud", "AzureUSGovernment", "AzureChinaCloud", "Local")]
    public string? Cloud { get; set; }

    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
    public string? SubscriptionId { get; set; }

    [Parameter]
    public string? TenantId { get; set; }

    [Parameter]
    public string? EmulatorConnectionFile { get; set; }

    [Parameter]
    public string? PolicyPath { get; set; }

    [Parameter]
    public SwitchParameter UseAzContext { get; set; }

    [Parameter]
    [ValidatePattern("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")]
    public string? ManagedIdentityClientId { get; set; }

    protected override void EndProcessing()
    {
        Engine.EngineOptions options;
        try
        {
            options = SessionConnection.FromEnvironment(Cloud, SubscriptionId, TenantId,
                EmulatorConnectionFile is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(EmulatorConnectionFile), ManagedIdentityClientId);
            if (ShouldUseAzContext(options)) options.TokenProvider = AzContextProvider(options);
        }
        catch (Engine.FoundryEngineException e)
        {
            ThrowTerminatingError(ErrorMapper.ToErrorRecord(e, EmulatorConnectionFile ?? Cloud));
            return;
        }
        var engine = Engine.FoundryEngine.Create(options);
        if (TryRun("Connecting", options.ResolvedArmEndpoint.ToString(), (_, token) => engine.ConnectAsync(token), out var info))
        {
            SessionConnection.Set(options, PolicyPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(PolicyPath));
            WriteObject(new FoundryConnection(info));
        }
    }

    /// <summary>
    /// -UseAzContext decides when given. Otherwise a session already signed in with Connect-AzAccount is used as it is
    /// (the identity the operator chose, and no second sign-in), except for the local cloud, which must never be sent an
    /// Azure token, when a managed identity was named explicitly, and in a GitHub Actions job that can sign in with OIDC
    /// (the Az context's federated sign-in cannot outlive its ID token; Foundry's own can).
    /// </summary>
    private bool ShouldUseAzContext(Engine.EngineOptions options)
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(UseAzContext))) return UseAzContext.IsPresent;
        if (options.Cloud == Engine.FoundryCloud.Local || options.ManagedIdentityClientId is not null) return false;
        if (Engine.Connection.GitHubActionsOidc.IsAvailable(Environment.GetEnvironmentVariable, options.TenantId))
        {
            // azure/login's Az session holds one ID token that expires in minutes; Foundry's own sign-in fetches a fresh one per Entra request.
            WriteVerbose("GitHub Actions OIDC is available (ACTIONS_ID_TOKEN_REQUEST_URL, AZURE_CLIENT_ID): Foundry signs in with a fresh ID token for every Entra request, not the Az.Accounts context. Pass -UseAzContext to use the context anyway.");
            return false;
        }
        if (!AzContextTokens.HasSignedInContext(this)) return false;
        WriteVerbose("Az.Accounts is signed in (Get-AzContext): Foundry uses that context. Pass -UseAzContext:$false to use Azure.Identity's chain instead.");
        return true;
    }

    /// <summary>The session's Az.Accounts context as the token source, checked now with a Resource Manager token.</summary>
    private Func<string[], CancellationToken, Task<Engine.EngineToken>> AzContextProvider(Engine.EngineOptions options)
    {
        if (!AzContextTokens.IsAvailable(this))
        {
            var message = $"-UseAzContext needs Az.Accounts' {AzContextTokens.CommandName} in this session, and it is not available.";
            ThrowTerminatingError(new ErrorRecord(new PSInvalidOperationException(message), ErrorIds.AzContextNotFound, ErrorCategory.ObjectNotFound, AzContextTokens.CommandName)
            {
                ErrorDetails = new ErrorDetails(message)
                {
                    RecommendedAction = "Import-Module Az.Accounts and Connect-AzAccount (Connect-AzAccount -Identity in a runbook) first, or omit -UseAzContext to use Azure.Identity's credential chain.",
                },
            });
        }
        var tokens = new AzContextTokens(options.TenantId);
        tokens.Fetch(this, AzContextTokens.ResourceOf(options.ResolvedAudience));
        // Both tokens now, while a federated sign-in (azure/login's OIDC assertion) is fresh: it expires in minutes,
        // and without it Az.Accounts cannot get a token for a second resource later in a long job.
        tokens.Fetch(this, AzContextTokens.KeyVaultResource(options.Cloud));
        WriteVerbose($"Using the session's Az.Accounts context ({AzContextTokens.CommandName}) for {options.Cloud}.");
        return tokens.Provider;
    }
}
