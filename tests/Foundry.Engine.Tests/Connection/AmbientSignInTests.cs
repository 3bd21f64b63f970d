using Azure.Core;
using Azure.Identity;
using Foundry.Emulator;
using Foundry.Emulator.Identity;
using Foundry.Engine.Connection;
using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Connection;

/// <summary>
/// Signing in as a GitHub Actions job (OIDC) and as an Azure Automation managed identity, end to end against the
/// emulator's token endpoints, through FoundryEngine.Create's own credential chain. Lifetimes are scaled down so one up
/// outlives several GitHub ID tokens and access tokens, as a real up outlives GitHub's minutes-long ID token.
/// </summary>
public sealed class AmbientSignInTests
{
    internal const string ClientId = "4a1b2c3d-0000-4000-8000-00000000c11e";
    internal const string JobPrincipal = "9f8e7d6c-0000-4000-8000-0000000a0b5e";
    internal static readonly TimeSpan IdTokenLifetime = TimeSpan.FromSeconds(1);
    /// <summary>
    /// What the SDK may use an access token for: Azure.Core's token cache and MSAL both treat a token as due for refresh
    /// 5 minutes before it expires, so a token issued for 5 min + 1.5 s is reused for 1.5 s, then fetched again.
    /// </summary>
    internal static readonly TimeSpan AccessTokenUse = TimeSpan.FromSeconds(1.5);
    internal static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(5) + AccessTokenUse;

    [Fact]
    public async Task An_up_longer_than_the_ID_token_and_access_token_lifetimes_signs_in_with_a_fresh_ID_token_each_time()
    {
        await using var scope = await LocalCloudScope.StartAsync(GitHubCloud());
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        var started = DateTimeOffset.UtcNow;

        var result = await UpAsync(cloud, Options(cloud, ActionsJob(cloud)));

        var elapsed = DateTimeOffset.UtcNow - started;
        Assert.True(elapsed > AccessTokenUse + IdTokenLifetime, $"the up took {elapsed}: too short to outlive the tokens");
        Assert.Equal("Resolved", Assert.Single(result.Environment.Apps).ReferenceStatus);
        var idTokens = Requests(cloud, TokenEndpointsArea.ActionsHost);
        var entraTokens = Requests(cloud, TokenEndpointsArea.EntraHost);
        Assert.True(idTokens.Count > 1, $"the Actions ID token endpoint was called {idTokens.Count} time(s)");
        Assert.All(idTokens, r => Assert.Equal(200, r.Status));
        Assert.Contains("audience=api%3A%2F%2FAzureADTokenExchange", idTokens[0].PathAndQuery, StringComparison.Ordinal);
        Assert.All(entraTokens, r => Assert.Equal(200, r.Status));
        Assert.True(entraTokens.Count >= idTokens.Count, "every assertion was exchanged at Entra");
        // Every plane saw the federated app's principal: the operator's vault role went to it.
        Assert.True(cloud.CountResources(r => r.Type == "Microsoft.Authorization/roleAssignments" && r.Properties?["principalId"]?.ToString() == JobPrincipal) > 0);
        Assert.DoesNotContain(cloud.Host.Cloud.Log.All, r => r.Service == Foundry.Emulator.Control.ServiceKind.Management && r.Status == 401);
    }

    [Fact]
    public async Task The_old_hand_off_of_one_ID_token_fetched_once_fails_with_AADSTS700024_half_way()
    {
        await using var scope = await LocalCloudScope.StartAsync(GitHubCloud());
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        // What azure/login hands the Azure CLI / Az PowerShell: one ID token, fetched at sign-in, reused for every exchange.
        var source = new GitHubActionsOidc.IdTokenSource(cloud.Host.ActionsIdTokenRequestUrl, cloud.Host.Cloud.Identity.ActionsRequestToken, Transport(cloud), new EngineOptions());
        var assertion = await source.FetchAsync(CancellationToken.None);
        var handedOff = new ClientAssertionCredential(cloud.Host.TenantId, ClientId, _ => Task.FromResult(assertion),
            new ClientAssertionCredentialOptions { AuthorityHost = cloud.Host.AuthorityHost, DisableInstanceDiscovery = true, Transport = Transport(cloud) });
        var options = Options(cloud, _ => null);
        options.TokenProvider = async (scopes, token) =>
        {
            var access = await handedOff.GetTokenAsync(new TokenRequestContext(scopes), token);
            return new EngineToken(access.Token, access.ExpiresOn);
        };

        var error = await Record.ExceptionAsync(() => UpAsync(cloud, options));

        Assert.NotNull(error);
        Assert.Contains("AADSTS700024", error!.ToString(), StringComparison.Ordinal);
        Assert.Contains(Requests(cloud, TokenEndpointsArea.EntraHost), r => r.Status == 401);
        Assert.Single(Requests(cloud, TokenEndpointsArea.ActionsHost));
        Assert.True(cloud.Host.Cloud.Log.All.Count(r => r.Service == Foundry.Emulator.Control.ServiceKind.Management && r.Status < 400) > 1, "the run failed half-way, not at once");
    }

    [Fact]
    public async Task A_job_without_a_valid_request_token_is_FederatedTokenUnavailable_and_the_token_stays_out_of_the_error()
    {
        await using var scope = await LocalCloudScope.StartAsync(GitHubCloud());
        var cloud = scope.Value;
        var job = ActionsJob(cloud);
        const string wrongToken = "not-this-jobs-request-token-0123456789";
        var engine = FoundryEngine.Create(Options(cloud, name => name == GitHubActionsOidc.RequestTokenVariable ? wrongToken : job(name)));

        var error = await Assert.ThrowsAsync<FoundryEngineException>(() => engine.ConnectAsync(CancellationToken.None));

        Assert.Equal(Foundry.Engine.Errors.EngineErrorIds.FederatedTokenUnavailable, error.ErrorId);
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("id-token: write", error.RecommendedAction);
        Assert.DoesNotContain(wrongToken, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subject_without_a_federated_credential_is_AuthenticationFailed_naming_the_subject()
    {
        var options = GitHubCloud();
        options.Identity.ActionsSubject = "repo:contoso/app:ref:refs/heads/feature";
        await using var scope = await LocalCloudScope.StartAsync(options);
        var engine = FoundryEngine.Create(Options(scope.Value, ActionsJob(scope.Value)));

        var error = await Assert.ThrowsAsync<FoundryEngineException>(() => engine.ConnectAsync(CancellationToken.None));

        Assert.Equal(Foundry.Engine.Errors.EngineErrorIds.AuthenticationFailed, error.ErrorId);
        Assert.Contains("AADSTS70021", error.Message, StringComparison.Ordinal);
        Assert.Contains("refs/heads/feature", error.Message, StringComparison.Ordinal);
        Assert.Contains("federated credential", error.RecommendedAction);
    }

    internal static EmulatorOptions GitHubCloud()
    {
        var options = new EmulatorOptions();
        options.Identity.GitHubIdTokenLifetime = IdTokenLifetime;
        options.Identity.AccessTokenLifetime = AccessTokenLifetime;
        options.Identity.FederatedCredentials.Add(new FederatedCredential(ClientId, JobPrincipal, "repo:contoso/app:environment:dev"));
        return options;
    }

    /// <summary>What a GitHub job with id-token: write and azure/login-style variables sees; nothing else is set.</summary>
    internal static Func<string, string?> ActionsJob(LocalCloud cloud)
    {
        var variables = new Dictionary<string, string>
        {
            [GitHubActionsOidc.RequestUrlVariable] = cloud.Host.ActionsIdTokenRequestUrl.ToString(),
            [GitHubActionsOidc.RequestTokenVariable] = cloud.Host.Cloud.Identity.ActionsRequestToken,
            ["AZURE_CLIENT_ID"] = ClientId,
            ["AZURE_TENANT_ID"] = cloud.Host.TenantId,
        };
        return name => variables.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Engine options for the emulator as if it were Azure: Azure.Identity's chain, the emulator's authority.</summary>
    internal static EngineOptions Options(LocalCloud cloud, Func<string, string?> environment) => new()
    {
        Cloud = FoundryCloud.AzureCloud,
        ArmEndpoint = cloud.Host.ManagementEndpoint,
        TenantId = cloud.Host.TenantId,
        SubscriptionId = cloud.Subscription,
        TrustedCertificateThumbprint = cloud.Host.CertificateThumbprint,
        AuthorityHost = cloud.Host.AuthorityHost,
        EnvironmentVariables = environment,
        RetryDelay = TimeSpan.FromMilliseconds(20),
        Timings = new EngineTimings(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5)),
    };

    /// <summary>An up that lasts several token lifetimes: the account and the deployment take a while, as in Azure.</summary>
    internal static Task<ProvisionResult> UpAsync(LocalCloud cloud, EngineOptions options)
    {
        cloud.Host.Cloud.Timings.Set("Microsoft.CognitiveServices/accounts:create", TimeSpan.FromSeconds(1.5));
        cloud.Host.Cloud.Timings.Set("Microsoft.CognitiveServices/accounts/deployments:create", TimeSpan.FromSeconds(1));
        return FoundryEngine.Create(options).Provisioner.ProvisionAsync(cloud.Policy, "dev", false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit,
            NullReporter.Instance, CancellationToken.None);
    }

    internal static List<Foundry.Emulator.Control.RequestRecord> Requests(LocalCloud cloud, string host) =>
        cloud.Host.Cloud.Log.All.Where(r => r.Host.StartsWith(host + ":", StringComparison.OrdinalIgnoreCase)).ToList();

    private static Azure.Core.Pipeline.HttpPipelineTransport Transport(LocalCloud cloud) =>
        Foundry.Engine.Connection.EngineTransport.For(new EngineOptions { ArmEndpoint = cloud.Host.ManagementEndpoint, TrustedCertificateThumbprint = cloud.Host.CertificateThumbprint })!;
}
