using System.Text;
using System.Text.Json;
using Foundry.Emulator.Arm;
using Foundry.Emulator.Control;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;
using Foundry.Emulator.Throttling;
using Microsoft.AspNetCore.Http;

namespace Foundry.Emulator.Hosting;

/// <summary>
/// The one terminal middleware: decides the Azure surface from the host name, adds that surface's
/// standard headers, authenticates as the service would, applies injected faults, checks the
/// api-version, runs the handler under the cloud's lock, logs the request and persists the state.
/// </summary>
internal sealed class EmulatorPipeline(LocalCloud cloud, RouteTable routes)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var service = ServiceOf(http);
        if (service == ServiceKind.Management) request.Path = ArmPath(request.Path.Value);
        var path = request.Path.Value ?? "/";
        var rawBody = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        // A token endpoint's bearer is a job's request token, not a caller: it must not reach the log as a principal.
        var principal = service == ServiceKind.Identity ? "anonymous" : PrincipalOf(request);
        var requestId = Guid.NewGuid().ToString();
        AddStandardHeaders(http, service, requestId);

        EmulatorResponse response;
        var mutating = false;
        if (service == ServiceKind.Control && !ControlTokenPresented(request))
        {
            // The control surface dumps every key and secret and changes state: only whoever can read connection.json may use it.
            response = AzureError.Arm(401, "AuthenticationFailed",
                $"The emulator's control surface requires the '{EmulatorHost.ControlTokenHeader}' header with the controlToken from its connection file.");
        }
        else if (service != ServiceKind.Control && Unauthenticated(http, service) is { } challenge)
        {
            response = challenge;
        }
        else if (service == ServiceKind.Management && Throttled(http, path, principal) is { } throttled)
        {
            response = throttled;
        }
        else if (service != ServiceKind.Control && cloud.Faults.Match(request.Method, path, service, principal) is { } fault)
        {
            if (fault.Delay is { } delay) await Task.Delay(delay, http.RequestAborted).ConfigureAwait(false);
            response = FaultResponses.For(fault, service, path);
            mutating = IsWriteMethod(request.Method);
        }
        else
        {
            var (route, match, pathMatched) = routes.Find(service, request.Method, path);
            if (route is null || match is null)
            {
                response = pathMatched
                    ? AzureError.Arm(405, "MethodNotAllowed", $"The requested resource does not support http method '{request.Method}'.")
                    : NotFound(service, path);
            }
            else
            {
                mutating = IsWriteMethod(request.Method) && !(request.Method == "POST" && route.Options.ReadOnly);
                response = Serve(http, route, match, service, rawBody, principal);
                if (mutating && response.Status < 400)
                {
                    lock (cloud.Sync) cloud.Save();
                }
            }
        }

        var responseBody = response.BodyText();
        var bytes = WriteHead(http, response, responseBody);
        // Recorded before the client can see the answer: a test that marks the log after a call returns must not find
        // that call's record appended behind its mark (it read as one of up's writes on a loaded machine).
        if (service != ServiceKind.Control && cloud.Log.Enabled)
        {
            var responseHeaders = http.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            // Authorization is never recorded: the log is for counting and for checking shapes, not credentials.
            var requestHeaders = request.Headers.Where(h => !h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            // Token endpoints' bodies carry client assertions and access tokens: only the request line and status are kept.
            var bodies = service != ServiceKind.Identity;
            cloud.Log.Add(new RequestRecord(cloud.Now, service, request.Method, request.Host.Value ?? "", path + request.QueryString.Value,
                response.Status, mutating, principal, rawBody.Length == 0 || !bodies ? null : rawBody, bodies ? responseBody : null, responseHeaders,
                bodies ? requestHeaders : requestHeaders.Where(h => !h.Key.Equals("X-IDENTITY-HEADER", StringComparison.OrdinalIgnoreCase)).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)));
        }
        if (bytes is not null) await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
    }

    private EmulatorResponse Serve(HttpContext http, RouteTable.Route route, System.Text.RegularExpressions.Match match, ServiceKind service, string rawBody, string principal)
    {
        var context = new RequestContext(http, cloud, match, service, rawBody, principal);
        try
        {
            if (service == ServiceKind.Management && ApiVersionProblem(context, route.Options) is { } problem) return problem;
            lock (cloud.Sync)
            {
                cloud.Settle();
                // Azure Policy sits in front of every provider: modify rewrites the body, deny answers before the provider runs.
                if (service == ServiceKind.Management && Policy.PolicyEnforcement.Apply(context) is { } denied) return denied;
                return route.Handler(context);
            }
        }
        catch (EmulatorErrorException e)
        {
            return e.Response;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            // A body of the wrong shape (a string where an object belongs…) is the client's error, never a 500 with a trace.
            return service == ServiceKind.KeyVault
                ? AzureError.KeyVault(400, "BadParameter", "The request body is invalid: " + e.GetType().Name)
                : AzureError.InvalidRequestContent(e.GetType().Name);
        }
    }

    /// <summary>
    /// Resource Manager serves a path whose leading slash is doubled (the SDKs send //subscriptions/… when handed a
    /// resource id) as the single-slash path, so the emulator does too.
    /// </summary>
    internal static string ArmPath(string? path)
    {
        path ??= "/";
        var start = 0;
        while (start + 1 < path.Length && path[start] == '/' && path[start + 1] == '/') start++;
        return path[start..];
    }

    /// <summary>
    /// Takes a token from the caller's bucket for this subscription (or the tenant) and kind of operation, and
    /// reports what is left in x-ms-ratelimit-remaining-{subscription|tenant}-{reads|writes|deletes}; an empty
    /// bucket answers 429 with Retry-After, as Resource Manager's regional throttling does.
    /// </summary>
    private EmulatorResponse? Throttled(HttpContext http, string path, string principal)
    {
        var method = http.Request.Method;
        var (route, _, _) = routes.Find(ServiceKind.Management, method, path);
        var kind = method switch
        {
            "GET" or "HEAD" => OperationKind.Read,
            "DELETE" => OperationKind.Delete,
            "POST" when route?.Options.ReadOnly == true => OperationKind.Read,
            _ => OperationKind.Write,
        };
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var subscription = segments.Length >= 2 && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) ? segments[1] : null;
        var decision = cloud.Throttle.Charge(subscription, principal, kind, cloud.Now);
        var scope = subscription is null ? "tenant" : "subscription";
        var plural = kind switch { OperationKind.Read => "reads", OperationKind.Delete => "deletes", _ => "writes" };
        var header = $"x-ms-ratelimit-remaining-{scope}-{plural}";
        http.Response.Headers[header] = decision.Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (decision.Allowed) return null;
        var verb = kind.ToString().ToLowerInvariant();
        var message = subscription is null
            ? $"Number of '{verb}' requests for tenant '{cloud.State.TenantId}' actor '{principal}' exceeded. Please try again after '{decision.RetryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling"
            : $"Number of '{verb}' requests for subscription '{subscription}' actor '{principal}' exceeded. Please try again after '{decision.RetryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling";
        return AzureError.Arm(429, subscription is null ? "TenantRequestsThrottled" : "SubscriptionRequestsThrottled", message)
            .WithHeader("Retry-After", decision.RetryAfterSeconds)
            .WithHeader(header, "0");
    }

    private bool ControlTokenPresented(HttpRequest request)
    {
        var presented = Encoding.UTF8.GetBytes(request.Headers[EmulatorHost.ControlTokenHeader].ToString());
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(cloud.ControlToken));
    }

    private static EmulatorResponse? ApiVersionProblem(RequestContext context, RouteOptions options)
    {
        var version = context.ApiVersion;
        if (string.IsNullOrEmpty(version))
        {
            return options.RequiresApiVersion
                ? AzureError.Arm(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
                : null;
        }
        if (options.ApiVersionOf is null) return null;
        var supported = ProviderCatalog.ApiVersions(options.ApiVersionOf);
        if (supported is null || supported.Contains(version, StringComparer.OrdinalIgnoreCase)) return null;
        var typeName = options.ApiVersionOf[(options.ApiVersionOf.IndexOf('/') + 1)..];
        return AzureError.Arm(400, "NoRegisteredProviderFound",
            $"No registered resource provider found for location 'global' and API version '{version}' for type '{typeName}'. " +
            $"The supported api-versions are '{string.Join(", ", supported)}'. The supported locations are '{string.Join(", ", ProviderCatalog.Locations)}'.");
    }

    private EmulatorResponse? Unauthenticated(HttpContext http, ServiceKind service)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        var hasBearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7;
        switch (service)
        {
            case ServiceKind.Management when !hasBearer:
                return AzureError.Arm(401, authorization.Length == 0 ? "AuthenticationFailed" : "InvalidAuthenticationToken",
                        authorization.Length == 0 ? "Authentication failed. The 'Authorization' header is missing." : "The access token is invalid.")
                    .WithHeader("WWW-Authenticate",
                        $"Bearer authorization_uri=\"https://login.microsoftonline.com/{cloud.State.TenantId}\", error=\"invalid_token\", error_description=\"The authentication failed because of missing 'Authorization' header.\"");
            case ServiceKind.Management when ExpiredAt(authorization) is { } expiredAt:
                // Resource Manager's answer to an expired token (the SDK's token cache refreshes before this happens).
                var culture = System.Globalization.CultureInfo.GetCultureInfo("en-US");
                return AzureError.Arm(401, "ExpiredAuthenticationToken",
                        $"The access token expiry UTC time '{expiredAt.UtcDateTime.ToString(culture)}' is earlier than current UTC time '{cloud.Now.UtcDateTime.ToString(culture)}'.")
                    .WithHeader("WWW-Authenticate",
                        $"Bearer authorization_uri=\"https://login.microsoftonline.com/{cloud.State.TenantId}\", error=\"invalid_token\", error_description=\"The access token has expired.\"");
            case ServiceKind.KeyVault when !hasBearer:
                // The challenge SecretClient answers: it names the tenant and the resource to get a token for.
                return AzureError.KeyVault(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.")
                    .WithHeader("WWW-Authenticate",
                        $"Bearer authorization=\"https://login.microsoftonline.com/{cloud.State.TenantId}\", resource=\"https://vault.localhost\"");
            default:
                return null;
        }
    }

    /// <summary>When a bearer JWT carries an exp claim that has passed on the emulator's clock: its expiry; otherwise null.</summary>
    private DateTimeOffset? ExpiredAt(string authorization)
    {
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        return Identity.JsonWebTokens.ExpiryOf(authorization[7..].Trim()) is { } expires && expires <= cloud.Now ? expires : null;
    }

    private static EmulatorResponse NotFound(ServiceKind service, string path) => service switch
    {
        ServiceKind.KeyVault => AzureError.KeyVault(404, "NotFound", $"The requested path '{path}' was not found."),
        ServiceKind.OpenAI => AzureError.OpenAI(404, "404", "Resource not found"),
        ServiceKind.Control => AzureError.Arm(404, "NotFound", $"No control endpoint at '{path}'."),
        _ => AzureError.Arm(404, "NotFound", $"The requested resource '{path}' was not found."),
    };

    private static bool IsWriteMethod(string method) => method is "PUT" or "PATCH" or "DELETE" or "POST";

    internal static ServiceKind ServiceOf(HttpContext http)
    {
        var host = http.Request.Host.Host.ToLowerInvariant();
        if (host is Identity.TokenEndpointsArea.EntraHost or Identity.TokenEndpointsArea.ActionsHost or Identity.TokenEndpointsArea.ManagedIdentityHost) return ServiceKind.Identity;
        if (host.EndsWith(".vault.localhost", StringComparison.Ordinal)) return ServiceKind.KeyVault;
        if (host.EndsWith(".openai.localhost", StringComparison.Ordinal) || host.EndsWith(".cognitiveservices.localhost", StringComparison.Ordinal))
        {
            return ServiceKind.OpenAI;
        }
        return (http.Request.Path.Value ?? "").StartsWith("/_emulator", StringComparison.OrdinalIgnoreCase) ? ServiceKind.Control : ServiceKind.Management;
    }

    /// <summary>The caller's identity: a JWT's oid (or sub) claim; the emulator's plain tokens name the principal themselves.</summary>
    internal static string PrincipalOf(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return "anonymous";
        var token = authorization[7..].Trim();
        var parts = token.Split('.');
        if (parts.Length == 3)
        {
            try
            {
                var payload = parts[1].Replace('-', '+').Replace('_', '/');
                payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
                using var claims = JsonDocument.Parse(Convert.FromBase64String(payload));
                foreach (var claim in new[] { "oid", "sub", "appid" })
                {
                    if (claims.RootElement.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String) return value.GetString()!;
                }
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                // Not a JWT after all: fall through to the plain form.
            }
        }
        return token.Length <= 64 ? token : token[..64];
    }

    private void AddStandardHeaders(HttpContext http, ServiceKind service, string requestId)
    {
        var headers = http.Response.Headers;
        var clientRequestId = http.Request.Headers["x-ms-client-request-id"].ToString();
        switch (service)
        {
            case ServiceKind.Management:
            case ServiceKind.Control:
                var correlation = http.Request.Headers["x-ms-correlation-request-id"].ToString() is { Length: > 0 } c ? c : requestId;
                headers.CacheControl = "no-cache";
                headers.Pragma = "no-cache";
                headers.Expires = "-1";
                headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
                headers.XContentTypeOptions = "nosniff";
                headers["x-ms-request-id"] = requestId;
                headers["x-ms-correlation-request-id"] = correlation;
                headers["x-ms-routing-request-id"] = $"LOCAL:{cloud.Now.UtcDateTime:yyyyMMddTHHmmssZ}:{correlation}";
                break;
            case ServiceKind.KeyVault:
                headers.CacheControl = "no-cache";
                headers.Pragma = "no-cache";
                headers.Expires = "-1";
                headers.StrictTransportSecurity = "max-age=31536000;includeSubDomains";
                headers.XContentTypeOptions = "nosniff";
                if (clientRequestId.Length > 0) headers["x-ms-client-request-id"] = clientRequestId;
                headers["x-ms-request-id"] = requestId;
                headers["x-ms-keyvault-region"] = "local";
                headers["x-ms-keyvault-service-version"] = "1.9.1652.1";
                headers["x-ms-keyvault-network-info"] = "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;";
                break;
            case ServiceKind.OpenAI:
                headers["apim-request-id"] = requestId;
                headers["x-ms-region"] = "Local";
                if (clientRequestId.Length > 0) headers["x-ms-client-request-id"] = clientRequestId;
                break;
        }
    }

    /// <summary>Sets the status and headers; returns the body's bytes to write, or null when there is none.</summary>
    private static byte[]? WriteHead(HttpContext http, EmulatorResponse response, string? body)
    {
        http.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers) http.Response.Headers[name] = value;
        if (body is null || HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.ContentLength = 0;
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(body);
        http.Response.ContentType = response.ContentType;
        http.Response.ContentLength = bytes.Length;
        return bytes;
    }
}
