using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace Foundry.Engine.Connection;

/// <summary>
/// Signing in from a GitHub Actions job through workload identity federation (OIDC) for as long as the job runs. A
/// GitHub ID token is valid for minutes, so an assertion fetched once (what azure/login hands the Azure CLI and Az
/// PowerShell) is refused with AADSTS700024 as soon as Entra needs a new token after that — half-way through a long up,
/// or when the first Key Vault call asks for a token for a second resource. Here every token request to Entra carries
/// a fresh ID token: <see cref="ClientAssertionCredential"/> calls back for the assertion whenever MSAL must go to Entra.
/// </summary>
public static class GitHubActionsOidc
{
    /// <summary>Set by GitHub in a job whose workflow grants <c>permissions: id-token: write</c>.</summary>
    public const string RequestUrlVariable = "ACTIONS_ID_TOKEN_REQUEST_URL";

    /// <summary>The job's bearer token for <see cref="RequestUrlVariable"/> (same condition).</summary>
    public const string RequestTokenVariable = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

    /// <summary>The audience Entra ID's federated credentials expect in a GitHub ID token.</summary>
    public const string Audience = "api://AzureADTokenExchange";

    /// <summary>
    /// Whether the environment is a GitHub Actions job that can sign in with OIDC: the ID token endpoint is available
    /// (id-token: write) and AZURE_CLIENT_ID names the app registration (AZURE_TENANT_ID, or the tenant Foundry was given).
    /// </summary>
    public static bool IsAvailable(Func<string, string?> environment, string? tenantId) =>
        environment(RequestUrlVariable) is { Length: > 0 } && environment(RequestTokenVariable) is { Length: > 0 } &&
        environment("AZURE_CLIENT_ID") is { Length: > 0 } && (tenantId ?? environment("AZURE_TENANT_ID")) is { Length: > 0 };

    /// <summary>The credential, or null when <see cref="IsAvailable"/> is false.</summary>
    internal static TokenCredential? Credential(Func<string, string?> environment, string? tenantId, Uri authorityHost, HttpPipelineTransport? transport, EngineOptions options)
    {
        if (!IsAvailable(environment, tenantId)) return null;
        var source = new IdTokenSource(new Uri(environment(RequestUrlVariable)!), environment(RequestTokenVariable)!, transport, options);
        var credentialOptions = new ClientAssertionCredentialOptions
        {
            AuthorityHost = authorityHost,
            // Instance discovery asks login.microsoftonline.com about the authority: only for Entra's own hosts.
            DisableInstanceDiscovery = EngineCredential.IsLocal(authorityHost),
        };
        if (transport is not null) credentialOptions.Transport = transport;
        credentialOptions.Retry.MaxRetries = options.MaxRetries;
        credentialOptions.Retry.Delay = options.RetryDelay;
        credentialOptions.Diagnostics.IsLoggingContentEnabled = false;
        return new ClientAssertionCredential(tenantId ?? environment("AZURE_TENANT_ID")!, environment("AZURE_CLIENT_ID")!, source.FetchAsync, credentialOptions);
    }

    /// <summary>
    /// Fetches a fresh ID token the way @actions/core getIDToken does: GET ACTIONS_ID_TOKEN_REQUEST_URL&amp;audience=…
    /// with the request token as bearer, answer {"value": "&lt;jwt&gt;"}. Through an Azure.Core pipeline, so transient
    /// failures are retried with the SDK's policy and the bearer never reaches a log (Authorization is redacted).
    /// </summary>
    internal sealed class IdTokenSource
    {
        private readonly HttpPipeline pipeline;
        private readonly Uri requestUri;
        private readonly string requestToken;

        public IdTokenSource(Uri requestUrl, string requestToken, HttpPipelineTransport? transport, EngineOptions options)
        {
            var clientOptions = new IdTokenClientOptions();
            if (transport is not null) clientOptions.Transport = transport;
            clientOptions.Retry.MaxRetries = options.MaxRetries;
            clientOptions.Retry.Delay = options.RetryDelay;
            clientOptions.Retry.Mode = RetryMode.Exponential;
            clientOptions.Diagnostics.IsLoggingContentEnabled = false;
            pipeline = HttpPipelineBuilder.Build(clientOptions);
            var separator = string.IsNullOrEmpty(requestUrl.Query) ? "?" : "&";
            requestUri = new Uri(requestUrl + separator + "audience=" + Uri.EscapeDataString(Audience));
            this.requestToken = requestToken;
        }

        public async Task<string> FetchAsync(CancellationToken cancellationToken)
        {
            using var message = pipeline.CreateMessage();
            message.Request.Method = RequestMethod.Get;
            message.Request.Uri.Reset(requestUri);
            message.Request.Headers.SetValue(HttpHeader.Names.Authorization, "Bearer " + requestToken);
            message.Request.Headers.SetValue(HttpHeader.Names.Accept, "application/json; api-version=2.0");
            try
            {
                await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RequestFailedException or AggregateException)
            {
                throw Unavailable($"the Actions token endpoint could not be reached: {e.Message}", e);
            }
            var response = message.Response;
            if (response.Status != 200) throw Unavailable($"the Actions token endpoint answered {response.Status} {response.ReasonPhrase}", null);
            try
            {
                using var json = JsonDocument.Parse(response.Content.ToMemory());
                if (json.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } token) return token;
            }
            catch (JsonException)
            {
                // Reported below, without the body: it may hold a token.
            }
            throw Unavailable("the Actions token endpoint's answer carried no ID token (\"value\")", null);
        }

        private static FoundryEngineException Unavailable(string reason, Exception? inner) => new(FailureKind.Unauthorized, Errors.EngineErrorIds.FederatedTokenUnavailable,
            $"Foundry could not get a GitHub Actions ID token to sign in to Azure: {reason}.",
            "Give the job 'permissions: id-token: write', keep ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN as GitHub sets them, and re-run the job; see docs/github-actions.md.",
            inner: inner);
    }

    private sealed class IdTokenClientOptions : ClientOptions
    {
    }
}
