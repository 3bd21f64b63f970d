using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;

namespace Foundry.Engine.Connection;

/// <summary>Builds the TokenCredential the Engine uses: the host's token provider, the local principal, or Azure.Identity's chain (GitHub Actions OIDC included).</summary>
internal static class EngineCredential
{
    public static TokenCredential For(EngineOptions options, Azure.Core.Pipeline.HttpPipelineTransport? transport = null)
    {
        if (options.TokenProvider is { } provider) return new DelegateCredential(provider);
        if (options.Cloud == FoundryCloud.Local) return new DelegateCredential((_, _) => Task.FromResult(new EngineToken(options.LocalPrincipal, DateTimeOffset.UtcNow.AddHours(1))));
        var environment = options.EnvironmentVariables ?? Environment.GetEnvironmentVariable;
        var authority = AuthorityHost(options, environment);
        var local = IsLocal(authority);
        T Configure<T>(T credentialOptions) where T : TokenCredentialOptions
        {
            credentialOptions.AuthorityHost = authority;
            if (transport is not null) credentialOptions.Transport = transport;
            return credentialOptions;
        }
        // The order, first available wins (docs/github-actions.md): an explicit secret or certificate (environment); a
        // GitHub Actions job's OIDC, fetching a fresh ID token per Entra request; workload identity (a token file);
        // managed identity (Automation and App Service through IDENTITY_ENDPOINT/IDENTITY_HEADER, else IMDS); then a
        // developer's Azure CLI or Azure PowerShell sign-in.
        var chain = new List<TokenCredential> { new EnvironmentCredential(Configure(new EnvironmentCredentialOptions { DisableInstanceDiscovery = local })) };
        if (GitHubActionsOidc.Credential(environment, options.TenantId, authority, transport, options) is { } github) chain.Add(github);
        chain.Add(new WorkloadIdentityCredential(Configure(new WorkloadIdentityCredentialOptions { TenantId = options.TenantId, DisableInstanceDiscovery = local })));
        var clientId = options.ManagedIdentityClientId is { Length: > 0 } explicitId ? explicitId
            : ManagedIdentityEndpointAvailable(environment) && environment("AZURE_CLIENT_ID") is { Length: > 0 } ambientId ? ambientId : null;
        chain.Add(new ManagedIdentityCredential(Configure(new ManagedIdentityCredentialOptions(clientId is not null
            ? ManagedIdentityId.FromUserAssignedClientId(clientId)
            : ManagedIdentityId.SystemAssigned))));
        chain.Add(new AzureCliCredential(Configure(new AzureCliCredentialOptions { TenantId = options.TenantId })));
        chain.Add(new AzurePowerShellCredential(Configure(new AzurePowerShellCredentialOptions { TenantId = options.TenantId })));
        return new SignInFailureTranslation(new ChainedTokenCredential(chain.ToArray()));
    }

    /// <summary>App Service's and Azure Automation's managed-identity endpoint is set (Azure.Identity then uses it, not IMDS).</summary>
    public static bool ManagedIdentityEndpointAvailable(Func<string, string?> environment) =>
        environment("IDENTITY_ENDPOINT") is { Length: > 0 } && environment("IDENTITY_HEADER") is { Length: > 0 };

    /// <summary>The Entra authority: EngineOptions.AuthorityHost, else AZURE_AUTHORITY_HOST, else the cloud's.</summary>
    internal static Uri AuthorityHost(EngineOptions options, Func<string, string?> environment) =>
        options.AuthorityHost ?? (environment("AZURE_AUTHORITY_HOST") is { Length: > 0 } fromEnvironment ? new Uri(fromEnvironment) : options.Cloud switch
        {
            FoundryCloud.AzureUSGovernment => AzureAuthorityHosts.AzureGovernment,
            FoundryCloud.AzureChinaCloud => AzureAuthorityHosts.AzureChina,
            _ => AzureAuthorityHosts.AzurePublicCloud,
        });

    /// <summary>A loopback authority (the local emulator's token endpoint).</summary>
    internal static bool IsLocal(Uri authority) =>
        authority.IsLoopback || authority.Host == "localhost" || authority.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The signed-in principal's object id: the token's oid claim (the local emulator's tokens are the principal itself).</summary>
    public static async Task<string> PrincipalAsync(TokenCredential credential, string audience, CancellationToken cancellationToken)
    {
        var token = await credential.GetTokenAsync(new TokenRequestContext(new[] { audience.TrimEnd('/') + "/.default" }), cancellationToken).ConfigureAwait(false);
        var parts = token.Token.Split('.');
        if (parts.Length != 3) return token.Token;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - payload.Length % 4) % 4), '=');
            using var claims = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            foreach (var claim in new[] { "oid", "sub" })
            {
                if (claims.RootElement.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString()!;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // Not a JWT: fall through.
        }
        throw new FoundryEngineException(FailureKind.Unauthorized, Errors.EngineErrorIds.AuthenticationFailed, "The access token carries no object id (oid), so Foundry cannot grant the signed-in identity access to the vault.",
            "Sign in as a user, service principal or managed identity (Connect-AzAccount, az login, workload identity).");
    }

    /// <summary>
    /// Azure.Identity's sign-in failures (no credential of the chain available, or one refused) as Foundry's
    /// AuthenticationFailed: whichever call asked for the token, the operator gets one ErrorRecord with advice, not an
    /// Azure.Identity exception type crossing into the cmdlets.
    /// </summary>
    internal sealed class SignInFailureTranslation(TokenCredential inner) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            try
            {
                return inner.GetToken(requestContext, cancellationToken);
            }
            catch (AuthenticationFailedException e)
            {
                throw Translate(e);
            }
        }

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            try
            {
                return await inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailedException e)
            {
                throw Translate(e);
            }
        }

        private static FoundryEngineException Translate(AuthenticationFailedException e)
        {
            // A failure Foundry raised itself inside a credential (the Actions ID token fetch) keeps its own id and advice.
            for (Exception? cause = e; cause is not null; cause = cause.InnerException)
            {
                if (cause is FoundryEngineException own) return own;
            }
            // Azure.Identity's own message can end where Entra's answer begins: the AADSTS text sits on the MSAL exception.
            var entra = Entra(e);
            var advice = entra.Contains("AADSTS700024", StringComparison.Ordinal)
                ? "The client assertion (a GitHub ID token) had expired when Entra received it. Let Foundry sign in itself in GitHub Actions (permissions: id-token: write, AZURE_CLIENT_ID, AZURE_TENANT_ID, no -UseAzContext): it fetches a fresh ID token for every Entra request. See docs/github-actions.md."
                : entra.Contains("AADSTS70021", StringComparison.Ordinal)
                ? "The app registration has no federated credential for this job's subject: add one for the repository and environment (or branch) named in the message."
                : "Sign in one of the ways Foundry tries, in order: AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or a certificate (environment); GitHub Actions OIDC (permissions: id-token: write, AZURE_CLIENT_ID, AZURE_TENANT_ID); " +
                  "workload identity (AZURE_FEDERATED_TOKEN_FILE); a managed identity (Automation, Azure hosts; Connect-Foundry -ManagedIdentityClientId for a user-assigned one); az login; Connect-AzAccount (or Connect-Foundry -UseAzContext).";
            var message = entra.Length == 0 || e.Message.Contains(entra, StringComparison.Ordinal) ? e.Message : $"{e.Message.TrimEnd()} {entra}";
            return new(FailureKind.Unauthorized, Errors.EngineErrorIds.AuthenticationFailed, $"No credential could sign in to Azure: {message}", advice, inner: e);
        }

        /// <summary>Entra's AADSTS error from the innermost exception carrying one, without its trace ids; empty when there is none.</summary>
        private static string Entra(Exception e)
        {
            var found = "";
            for (Exception? cause = e; cause is not null; cause = cause.InnerException)
            {
                var at = cause.Message.IndexOf("AADSTS", StringComparison.Ordinal);
                if (at < 0) continue;
                var text = cause.Message.Substring(at);
                var trace = text.IndexOf(" Trace ID:", StringComparison.Ordinal);
                found = (trace > 0 ? text.Substring(0, trace) : text).Trim();
            }
            return found;
        }
    }

    private sealed class DelegateCredential(Func<string[], CancellationToken, Task<EngineToken>> provider) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var token = await provider(requestContext.Scopes, cancellationToken).ConfigureAwait(false);
            return new AccessToken(token.Token, token.ExpiresOn);
        }
    }
}
