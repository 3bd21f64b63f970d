using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Foundry.Emulator;
using Foundry.Emulator.Identity;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The emulator's token endpoints on the wire, on a clock the test moves: GitHub Actions' ID token service, Entra's
/// client-assertion grant (expired assertion AADSTS700024, unknown subject AADSTS70021, forged assertion refused), the
/// App Service / Automation managed-identity endpoint, and Resource Manager refusing an expired access token.
/// </summary>
public sealed class TokenEndpointsConformanceTests : IAsyncLifetime
{
    private const string ClientId = "0a1b2c3d-0000-4000-8000-00000000c0c0";
    private const string Principal = "1b2c3d4e-0000-4000-8000-00000000a0a0";
    private readonly Clock clock = new();
    private EmulatorHost host = null!;

    public async Task InitializeAsync()
    {
        var options = new EmulatorOptions { Time = clock };
        options.Identity.GitHubIdTokenLifetime = TimeSpan.FromMinutes(5);
        options.Identity.AccessTokenLifetime = TimeSpan.FromMinutes(60);
        options.Identity.FederatedCredentials.Add(new FederatedCredential(ClientId, Principal, options.Identity.ActionsSubject));
        options.Identity.ManagedIdentities.Add(new ManagedIdentityBinding(null, Principal));
        host = await EmulatorHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task The_Actions_service_answers_only_the_job_s_request_token_with_a_fresh_GitHub_ID_token()
    {
        using var http = Client();
        var refused = await http.SendAsync(HttpMethod.Get, IdTokenUrl(), configure: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "someone-else"));
        Assert.Equal(401, refused.Status);

        var first = await IdTokenAsync(http);
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = await IdTokenAsync(http);

        Assert.NotEqual(first, second);
        var claims = Claims(first);
        Assert.Equal(GitHubActions.Issuer, (string?)claims["iss"]);
        Assert.Equal(GitHubActions.AzureAudience, (string?)claims["aud"]);
        Assert.Equal(host.Cloud.Identity.ActionsSubject, (string?)claims["sub"]);
        Assert.Equal(300, (long)claims["exp"]! - (long)claims["iat"]!);
    }

    [Fact]
    public async Task Entra_exchanges_a_live_assertion_and_refuses_an_expired_one_with_AADSTS700024()
    {
        using var http = Client();
        var assertion = await IdTokenAsync(http);

        var granted = await ExchangeAsync(http, assertion);
        Assert.Equal(200, granted.Status);
        Assert.Equal("Bearer", (string?)granted.Body!["token_type"]);
        Assert.Equal(3600, (int)granted.Body["expires_in"]!);
        var access = Claims((string)granted.Body["access_token"]!);
        Assert.Equal(Principal, (string?)access["oid"]);
        Assert.Equal(host.ManagementEndpoint.ToString().TrimEnd('/'), (string?)access["aud"]);

        clock.Advance(TimeSpan.FromMinutes(5));
        var expired = await ExchangeAsync(http, assertion);
        Assert.Equal(401, expired.Status);
        Assert.Equal("invalid_client", (string?)expired.Body!["error"]);
        Assert.Equal(700024, (int)expired.Body["error_codes"]![0]!);
        Assert.StartsWith("AADSTS700024: Client assertion is not within its valid time range. Current time: ", (string?)expired.Body["error_description"]);
    }

    [Fact]
    public async Task Entra_refuses_an_altered_assertion_and_one_whose_subject_has_no_federated_credential()
    {
        using var http = Client();
        var parts = (await IdTokenAsync(http)).Split('.');
        var claims = Claims(string.Join('.', parts));
        claims["sub"] = "repo:attacker/app:ref:refs/heads/main";
        var altered = $"{parts[0]}.{Convert.ToBase64String(Encoding.UTF8.GetBytes(claims.ToJsonString())).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.{parts[2]}";
        var forged = await ExchangeAsync(http, altered);
        Assert.Equal(401, forged.Status);
        Assert.Equal(50027, (int)forged.Body!["error_codes"]![0]!);

        host.Cloud.Identity.ActionsSubject = "repo:contoso/app:ref:refs/heads/feature";
        var unknown = await ExchangeAsync(http, await IdTokenAsync(http));
        Assert.Equal(400, unknown.Status);
        Assert.Contains("AADSTS70021: No matching federated identity record found for presented assertion.", (string?)unknown.Body!["error_description"]);
        Assert.Contains("Assertion Subject: 'repo:contoso/app:ref:refs/heads/feature'", (string?)unknown.Body["error_description"]);
    }

    [Fact]
    public async Task Resource_Manager_takes_a_token_while_it_lives_and_refuses_it_with_ExpiredAuthenticationToken_after()
    {
        using var http = Client();
        var token = (string)(await ExchangeAsync(http, await IdTokenAsync(http))).Body!["access_token"]!;
        var path = $"/subscriptions/{host.DefaultSubscription}?api-version=2022-12-01";
        void Bearer(HttpRequestMessage r) => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(200, (await http.SendAsync(HttpMethod.Get, path, configure: Bearer)).Status);
        Assert.Contains(host.Cloud.Log.All, r => r.Principal == Principal);

        clock.Advance(TimeSpan.FromMinutes(61));
        var expired = await http.SendAsync(HttpMethod.Get, path, configure: Bearer);
        Assert.Equal(401, expired.Status);
        Assert.Equal("ExpiredAuthenticationToken", (string?)expired.Body!["error"]!["code"]);
        Assert.StartsWith("The access token expiry UTC time '", (string?)expired.Body["error"]!["message"]);
    }

    [Fact]
    public async Task The_managed_identity_endpoint_speaks_App_Service_s_2019_08_01_protocol_behind_its_header()
    {
        using var http = Client();
        var url = $"{host.ManagedIdentityEndpoint}?resource={Uri.EscapeDataString("https://vault.azure.net")}&api-version=2019-08-01";
        Assert.Equal(401, (await http.SendAsync(HttpMethod.Get, url)).Status);

        var answer = await http.SendAsync(HttpMethod.Get, url, configure: r => r.Headers.Add("X-IDENTITY-HEADER", host.Cloud.Identity.IdentityHeader));

        Assert.Equal(200, answer.Status);
        Assert.Equal("https://vault.azure.net", (string?)answer.Body!["resource"]);
        Assert.Equal("Bearer", (string?)answer.Body["token_type"]);
        Assert.Equal(clock.GetUtcNow().AddMinutes(60).ToUnixTimeSeconds().ToString(), (string?)answer.Body["expires_on"]);
        Assert.Equal(Principal, (string?)Claims((string)answer.Body["access_token"]!)["oid"]);
        var unknown = await http.SendAsync(HttpMethod.Get, url + "&client_id=" + Guid.NewGuid(), configure: r => r.Headers.Add("X-IDENTITY-HEADER", host.Cloud.Identity.IdentityHeader));
        Assert.Equal(400, unknown.Status);
    }

    private HttpClient Client() => new(LocalTransport.CreateHandler(host.CertificateThumbprint, host.Port)) { BaseAddress = host.ManagementEndpoint };

    private string IdTokenUrl() => host.ActionsIdTokenRequestUrl + "&audience=" + Uri.EscapeDataString(GitHubActions.AzureAudience);

    private async Task<string> IdTokenAsync(HttpClient http)
    {
        var reply = await http.SendAsync(HttpMethod.Get, IdTokenUrl(), configure: r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.Cloud.Identity.ActionsRequestToken));
        Assert.Equal(200, reply.Status);
        return (string)reply.Body!["value"]!;
    }

    private Task<RawArm.Reply> ExchangeAsync(HttpClient http, string assertion) =>
        http.SendAsync(HttpMethod.Post, $"{host.AuthorityHost}{host.TenantId}/oauth2/v2.0/token", configure: r => r.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["grant_type"] = "client_credentials",
            ["scope"] = host.ManagementEndpoint + ".default",
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        }));

    private static JsonObject Claims(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonNode.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=')))!.AsObject();
    }

    private sealed class Clock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => now;
        public void Advance(TimeSpan by) => now += by;
    }
}
