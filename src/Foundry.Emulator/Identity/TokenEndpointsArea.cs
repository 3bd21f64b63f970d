using System.Globalization;
using System.Text.Json.Nodes;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;
using Microsoft.AspNetCore.WebUtilities;

namespace Foundry.Emulator.Identity;

/// <summary>
/// The token endpoints a client meets before it reaches Azure: Entra ID's v2.0 token endpoint for a client assertion
/// (workload identity federation), GitHub Actions' ID token service, and the managed-identity endpoint App Service and
/// Azure Automation expose through IDENTITY_ENDPOINT / IDENTITY_HEADER. Tokens carry the configured principal as
/// <c>oid</c>, so Resource Manager, Key Vault and Azure OpenAI see it as the caller, and expire as configured.
/// </summary>
internal sealed class TokenEndpointsArea : IEmulatorArea
{
    /// <summary>Host labels the pipeline serves as <see cref="ServiceKind.Identity"/>.</summary>
    public const string EntraHost = "login.localhost", ActionsHost = "pipelines.actions.localhost", ManagedIdentityHost = "identity.localhost";

    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public void Register(RouteTable routes, LocalCloud cloud)
    {
        var readOnly = new RouteOptions { ReadOnly = true, RequiresApiVersion = false };
        routes.Map(ServiceKind.Identity, "POST", "/(?<tenant>[^/]+)/oauth2/v2.0/token", c => OnHost(c, EntraHost, Token), readOnly);
        routes.Map(ServiceKind.Identity, "GET", "/(?<tenant>[^/]+)/v2.0/.well-known/openid-configuration", c => OnHost(c, EntraHost, OpenIdConfiguration), readOnly);
        routes.Map(ServiceKind.Identity, "GET", "/.*/_apis/distributedtask/hubs/Actions/plans/[^/]+/jobs/[^/]+/idtoken", c => OnHost(c, ActionsHost, ActionsIdToken), readOnly);
        routes.Map(ServiceKind.Identity, "GET", "/msi/token", c => OnHost(c, ManagedIdentityHost, ManagedIdentityToken), readOnly);
    }

    private static EmulatorResponse OnHost(RequestContext c, string host, Func<RequestContext, EmulatorResponse> handler) =>
        c.Http.Request.Host.Host.Equals(host, StringComparison.OrdinalIgnoreCase) ? handler(c) : EmulatorResponse.Json(404, new JsonObject { ["error"] = "not_found" });

    /// <summary>
    /// The client-credentials grant with a client assertion, judged as Entra judges a federated one: a JWT that the issuer
    /// signed, not expired (AADSTS700024 otherwise, the error a long GitHub job meets when it reuses its first ID token),
    /// and matching one of the app's federated credentials on issuer, subject and audience (AADSTS70021 otherwise).
    /// </summary>
    private static EmulatorResponse Token(RequestContext c)
    {
        var form = QueryHelpers.ParseQuery(c.RawBody);
        string? Field(string name) => form.TryGetValue(name, out var value) ? value.ToString() : null;
        var tenant = c["tenant"];
        var now = c.Now;
        if (!tenant.Equals(c.State.TenantId, StringComparison.OrdinalIgnoreCase) && tenant is not "organizations")
        {
            return Entra(c, 400, "invalid_request", 90002, $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.");
        }
        if (Field("grant_type") != "client_credentials")
        {
            return Entra(c, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type 'grant_type'. The local token endpoint serves client_credentials only.");
        }
        var clientId = Field("client_id") ?? "";
        var credentials = c.Cloud.Identity.FederatedCredentials.Where(f => f.ClientId.Equals(clientId, StringComparison.OrdinalIgnoreCase)).ToList();
        if (credentials.Count == 0)
        {
            return Entra(c, 400, "unauthorized_client", 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{c.State.TenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }
        if (Field("client_assertion_type") != AssertionType || Field("client_assertion") is not { Length: > 0 } assertion)
        {
            return Entra(c, 401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        }
        if (c.Cloud.Tokens.Verify(assertion) is not { } claims)
        {
            return Entra(c, 401, "invalid_client", 50027, "JWT token is invalid or malformed.");
        }
        var notBefore = Seconds(claims, "nbf") ?? DateTimeOffset.UnixEpoch;
        var expires = Seconds(claims, "exp") ?? DateTimeOffset.UnixEpoch;
        if (now >= expires || now < notBefore)
        {
            // Entra's wording, as seen in azure/login#180 and MSAL issues: current time, validity window, documentation link.
            return Entra(c, 401, "invalid_client", 700024,
                $"Client assertion is not within its valid time range. Current time: {Timestamp(now)}, assertion valid from {Timestamp(notBefore)}, expiry time of assertion {Timestamp(expires)}. " +
                "Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .");
        }
        var issuer = (string?)claims["iss"] ?? "";
        var subject = (string?)claims["sub"] ?? "";
        var audience = (string?)claims["aud"] ?? "";
        var federated = credentials.FirstOrDefault(f => f.Issuer == issuer && f.Subject == subject && f.Audience == audience);
        if (federated is null)
        {
            return Entra(c, 400, "invalid_request", 70021,
                $"No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. Assertion Audience: '{audience}'.");
        }
        var resource = ResourceOf(Field("scope") ?? "");
        var lifetime = c.Cloud.Identity.AccessTokenLifetime;
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = WholeSeconds(lifetime),
            ["ext_expires_in"] = WholeSeconds(lifetime),
            ["access_token"] = AccessToken(c, resource, federated.PrincipalId, federated.ClientId, lifetime),
        });
    }

    private static EmulatorResponse OpenIdConfiguration(RequestContext c)
    {
        var authority = $"{c.BaseUri}/{c["tenant"]}";
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["token_endpoint"] = authority + "/oauth2/v2.0/token",
            ["authorization_endpoint"] = authority + "/oauth2/v2.0/authorize",
            ["issuer"] = $"https://login.microsoftonline.com/{c.State.TenantId}/v2.0",
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
            ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
            ["tenant_region_scope"] = "NA",
        });
    }

    /// <summary>
    /// GitHub's ID token request (what @actions/core getIDToken sends): GET ACTIONS_ID_TOKEN_REQUEST_URL&amp;audience=…
    /// with the job's ACTIONS_ID_TOKEN_REQUEST_TOKEN as bearer; the answer is {"value": "&lt;jwt&gt;"}, a fresh token each time.
    /// </summary>
    private static EmulatorResponse ActionsIdToken(RequestContext c)
    {
        var authorization = c.Http.Request.Headers.Authorization.ToString();
        var presented = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : "";
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(presented), System.Text.Encoding.UTF8.GetBytes(c.Cloud.Identity.ActionsRequestToken)))
        {
            // GitHub's wording for this refusal is not documented; the status is what a runtime token mismatch gets.
            return EmulatorResponse.Json(401, new JsonObject { ["message"] = "The request token is not valid for this job." });
        }
        var now = c.Now;
        var lifetime = c.Cloud.Identity.GitHubIdTokenLifetime;
        var token = c.Cloud.Tokens.Issue(new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString(),
            ["iss"] = GitHubActions.Issuer,
            ["aud"] = c.Query("audience") ?? "https://github.com/contoso",
            ["sub"] = c.Cloud.Identity.ActionsSubject,
            ["repository"] = "contoso/app",
            ["event_name"] = "workflow_dispatch",
            ["runner_environment"] = "github-hosted",
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = ExpirySeconds(now, lifetime),
        });
        return EmulatorResponse.Json(200, new JsonObject { ["count"] = 1, ["value"] = token });
    }

    /// <summary>
    /// App Service's managed-identity protocol, api-version 2019-08-01, which Azure Automation also serves: GET
    /// IDENTITY_ENDPOINT?resource=…&amp;api-version=2019-08-01[&amp;client_id=…] with X-IDENTITY-HEADER: IDENTITY_HEADER;
    /// the answer carries access_token, expires_on (Unix seconds, as a string), resource, token_type and client_id.
    /// </summary>
    private static EmulatorResponse ManagedIdentityToken(RequestContext c)
    {
        var header = c.Http.Request.Headers["X-IDENTITY-HEADER"].ToString();
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(header), System.Text.Encoding.UTF8.GetBytes(c.Cloud.Identity.IdentityHeader)))
        {
            return ManagedIdentityError(401, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
        }
        if (c.ApiVersion != "2019-08-01") return ManagedIdentityError(400, $"The api-version '{c.ApiVersion}' is not supported; use 2019-08-01.");
        if (c.Query("resource") is not { Length: > 0 } resource) return ManagedIdentityError(400, "The resource parameter is required.");
        var clientId = c.Query("client_id");
        var identity = c.Cloud.Identity.ManagedIdentities.FirstOrDefault(m =>
            clientId is null ? m.ClientId is null : clientId.Equals(m.ClientId, StringComparison.OrdinalIgnoreCase));
        if (identity is null) return ManagedIdentityError(400, "Unable to load the proper Managed Identity.");
        var lifetime = c.Cloud.Identity.AccessTokenLifetime;
        var audience = resource.TrimEnd('/');
        var token = AccessToken(c, audience, identity.PrincipalId, identity.ClientId ?? identity.PrincipalId, lifetime);
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = ExpirySeconds(c.Now, lifetime).ToString(CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = identity.ClientId ?? identity.PrincipalId,
        });
    }

    private static EmulatorResponse ManagedIdentityError(int status, string message) =>
        EmulatorResponse.Json(status, new JsonObject { ["statusCode"] = status, ["message"] = message, ["correlationId"] = Guid.NewGuid().ToString() });

    private static string AccessToken(RequestContext c, string audience, string principal, string clientId, TimeSpan lifetime)
    {
        var now = c.Now;
        return c.Cloud.Tokens.Issue(new JsonObject
        {
            ["aud"] = audience,
            ["iss"] = $"https://sts.windows.net/{c.State.TenantId}/",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = ExpirySeconds(now, lifetime),
            ["appid"] = clientId,
            ["idtyp"] = "app",
            ["oid"] = principal,
            ["sub"] = principal,
            ["tid"] = c.State.TenantId,
            ["ver"] = "1.0",
        });
    }

    /// <summary>Entra's token-endpoint error body: error, error_description with the AADSTS code and trace ids, error_codes, timestamp…</summary>
    private static EmulatorResponse Entra(RequestContext c, int status, string error, int code, string description)
    {
        var trace = Guid.NewGuid().ToString();
        var correlation = c.Http.Request.Headers["client-request-id"].ToString() is { Length: > 0 } id ? id : Guid.NewGuid().ToString();
        var timestamp = c.Now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return EmulatorResponse.Json(status, new JsonObject
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}",
            ["error_codes"] = new JsonArray(code),
            ["timestamp"] = timestamp,
            ["trace_id"] = trace,
            ["correlation_id"] = correlation,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={code}",
        });
    }

    /// <summary>The resource of a v2.0 scope: "https://management.azure.com/.default" → "https://management.azure.com".</summary>
    private static string ResourceOf(string scope)
    {
        var first = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
        return (first.EndsWith("/.default", StringComparison.Ordinal) ? first[..^"/.default".Length] : first).TrimEnd('/');
    }

    private static DateTimeOffset? Seconds(JsonObject claims, string name) =>
        claims[name] is JsonValue value && value.TryGetValue<long>(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>exp rounded up to the whole second, so a token never expires before its lifetime has passed.</summary>
    private static long ExpirySeconds(DateTimeOffset now, TimeSpan lifetime) => (long)Math.Ceiling((now + lifetime).ToUnixTimeMilliseconds() / 1000.0);

    private static int WholeSeconds(TimeSpan lifetime) => Math.Max(1, (int)lifetime.TotalSeconds);

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
