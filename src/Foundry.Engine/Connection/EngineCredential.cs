using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Identity;

namespace Foundry.Engine.Connection;

/// <summary>Builds the TokenCredential the Engine uses: the host's token provider, the local principal, or Azure.Identity's chain.</summary>
internal static class EngineCredential
{
    public static TokenCredential For(EngineOptions options)
    {
        if (options.TokenProvider is { } provider) return new DelegateCredential(provider);
        if (options.Cloud == FoundryCloud.Local) return new DelegateCredential((_, _) => Task.FromResult(new EngineToken(options.LocalPrincipal, DateTimeOffset.UtcNow.AddHours(1))));
        var authority = options.Cloud switch
        {
            FoundryCloud.AzureUSGovernment => AzureAuthorityHosts.AzureGovernment,
            FoundryCloud.AzureChinaCloud => AzureAuthorityHosts.AzureChina,
            _ => AzureAuthorityHosts.AzurePublicCloud,
        };
        // The order runbooks and pipelines expect: explicit environment, workload identity (GitHub OIDC), managed
        // identity (Automation), then a developer's Azure CLI or Azure PowerShell sign-in.
        return new SignInFailureTranslation(new ChainedTokenCredential(
            new EnvironmentCredential(new EnvironmentCredentialOptions { AuthorityHost = authority }),
            new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { AuthorityHost = authority, TenantId = options.TenantId }),
            new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(options.ManagedIdentityClientId is { Length: > 0 } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned) { AuthorityHost = authority }),
            new AzureCliCredential(new AzureCliCredentialOptions { AuthorityHost = authority, TenantId = options.TenantId }),
            new AzurePowerShellCredential(new AzurePowerShellCredentialOptions { AuthorityHost = authority, TenantId = options.TenantId })));
    }

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

        private static FoundryEngineException Translate(AuthenticationFailedException e) => new(FailureKind.Unauthorized, Errors.EngineErrorIds.AuthenticationFailed,
            $"No credential could sign in to Azure: {e.Message}",
            "Sign in one of the ways Foundry tries, in order: AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or a certificate (environment); workload identity (AZURE_FEDERATED_TOKEN_FILE); " +
            "a managed identity (Automation, Azure hosts; Connect-Foundry -ManagedIdentityClientId for a user-assigned one); az login; Connect-AzAccount (or Connect-Foundry -UseAzContext).",
            inner: e);
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
