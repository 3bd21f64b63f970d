using Azure.Core;
using Azure.Identity;
using Foundry.Engine;
using Foundry.Engine.Connection;

namespace Foundry.Engine.Tests.Connection;

/// <summary>Sign-in failures of Azure.Identity's chain reach the cmdlets as Foundry's AuthenticationFailed, with the cause kept (sanitized).</summary>
public sealed class EngineCredentialTests
{
    private static readonly TokenRequestContext Arm = new(new[] { "https://management.azure.com/.default" });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_chain_with_no_usable_credential_is_AuthenticationFailed_with_advice(bool async)
    {
        var unavailable = new CredentialUnavailableException("EnvironmentCredential authentication unavailable. ManagedIdentityCredential authentication unavailable.");
        var credential = new EngineCredential.SignInFailureTranslation(new Failing(unavailable));
        var error = async
            ? await Assert.ThrowsAsync<FoundryEngineException>(() => credential.GetTokenAsync(Arm, CancellationToken.None).AsTask())
            : Assert.Throws<FoundryEngineException>(() => credential.GetToken(Arm, CancellationToken.None));
        Assert.Equal(("AuthenticationFailed", FailureKind.Unauthorized), (error.ErrorId, error.Kind));
        Assert.Contains("ManagedIdentityCredential authentication unavailable", error.Message);
        Assert.Contains("az login", error.RecommendedAction);
        var cause = Assert.IsType<Foundry.Engine.Errors.SanitizedException>(error.InnerException);    // the cause stays, sanitized
        Assert.Equal(typeof(CredentialUnavailableException).FullName, cause.OriginalType);
        Assert.Equal(unavailable.Message, cause.Message);
    }

    [Fact]
    public async Task A_token_and_a_cancellation_pass_through_unchanged()
    {
        var token = new AccessToken("token", DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(token.Token, (await new EngineCredential.SignInFailureTranslation(new Succeeding(token)).GetTokenAsync(Arm, CancellationToken.None)).Token);
        var cancelled = new EngineCredential.SignInFailureTranslation(new Failing(new OperationCanceledException()));
        await Assert.ThrowsAsync<OperationCanceledException>(() => cancelled.GetTokenAsync(Arm, CancellationToken.None).AsTask());
    }

    [Theory]
    [InlineData(FoundryCloud.AzureCloud)]
    [InlineData(FoundryCloud.AzureUSGovernment)]
    [InlineData(FoundryCloud.AzureChinaCloud)]
    public void Every_cloud_uses_the_translated_chain(FoundryCloud cloud) =>
        Assert.IsType<EngineCredential.SignInFailureTranslation>(EngineCredential.For(new EngineOptions { Cloud = cloud, ManagedIdentityClientId = "00000000-0000-4000-8000-000000000042" }));

    private sealed class Failing(Exception failure) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw failure;
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromException<AccessToken>(failure);
    }

    private sealed class Succeeding(AccessToken token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => token;
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }
}

/// <summary>When Foundry takes the GitHub Actions OIDC path: all four variables (or a tenant given to Foundry), nothing less.</summary>
public sealed class GitHubActionsOidcAvailabilityTests
{
    private static readonly Dictionary<string, string> Job = new()
    {
        [GitHubActionsOidc.RequestUrlVariable] = "https://pipelines.actions.localhost/x/_apis/distributedtask/hubs/Actions/plans/p/jobs/j/idtoken?api-version=2.0",
        [GitHubActionsOidc.RequestTokenVariable] = "request-token",
        ["AZURE_CLIENT_ID"] = "00000000-0000-4000-8000-0000000000c1",
        ["AZURE_TENANT_ID"] = "00000000-0000-4000-8000-0000000000d1",
    };

    [Fact]
    public void A_job_with_id_token_write_and_the_app_s_ids_signs_in_with_OIDC() =>
        Assert.True(GitHubActionsOidc.IsAvailable(Without(), null));

    [Theory]
    [InlineData(GitHubActionsOidc.RequestUrlVariable)]     // no 'permissions: id-token: write'
    [InlineData(GitHubActionsOidc.RequestTokenVariable)]
    [InlineData("AZURE_CLIENT_ID")]                        // which app registration is unknown
    public void A_missing_variable_leaves_the_rest_of_the_chain(string missing) =>
        Assert.False(GitHubActionsOidc.IsAvailable(Without(missing), null));

    [Fact]
    public void A_tenant_given_to_Foundry_stands_in_for_AZURE_TENANT_ID()
    {
        Assert.False(GitHubActionsOidc.IsAvailable(Without("AZURE_TENANT_ID"), null));
        Assert.True(GitHubActionsOidc.IsAvailable(Without("AZURE_TENANT_ID"), "00000000-0000-4000-8000-0000000000d2"));
    }

    private static Func<string, string?> Without(params string[] names) => name => names.Contains(name) ? null : Job.GetValueOrDefault(name);
}
