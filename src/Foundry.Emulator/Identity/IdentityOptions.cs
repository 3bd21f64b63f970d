namespace Foundry.Emulator.Identity;

/// <summary>
/// A federated identity credential on an app registration (Entra ID's "workload identity federation"): Entra exchanges
/// an assertion from <paramref name="Issuer"/> whose <c>sub</c> is <paramref name="Subject"/> and whose <c>aud</c> is
/// <paramref name="Audience"/> for a token of the app <paramref name="ClientId"/>, whose service principal is
/// <paramref name="PrincipalId"/> (the object id the planes see as the caller).
/// </summary>
public sealed record FederatedCredential(string ClientId, string PrincipalId, string Subject,
    string Issuer = GitHubActions.Issuer, string Audience = GitHubActions.AzureAudience);

/// <summary>A managed identity the local managed-identity endpoint serves: the system-assigned one when <paramref name="ClientId"/> is null.</summary>
public sealed record ManagedIdentityBinding(string? ClientId, string PrincipalId);

/// <summary>
/// The local token endpoints: an Entra-like token endpoint (<c>login.localhost</c>), GitHub Actions' ID token service
/// (<c>pipelines.actions.localhost</c>) and an App Service / Automation managed-identity endpoint
/// (<c>identity.localhost</c>). Lifetimes are local values: tests shorten them so a run outlives its tokens.
/// </summary>
public sealed class IdentityOptions
{
    /// <summary>How long a GitHub Actions ID token is valid (GitHub's are valid for minutes; 5 by default here).</summary>
    public TimeSpan GitHubIdTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an access token from the token endpoints is valid (Entra's default lifetime is 60–90 minutes).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>The <c>sub</c> claim of the ID tokens the fake Actions service issues (GitHub's format: repo:OWNER/REPO:ref:REF, or :environment:NAME).</summary>
    public string ActionsSubject { get; set; } = "repo:contoso/app:environment:dev";

    /// <summary>The job's request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN): the Actions service answers only a bearer of it.</summary>
    public string ActionsRequestToken { get; set; } = RandomSecret();

    /// <summary>The managed-identity endpoint's secret (IDENTITY_HEADER): it answers only requests carrying it in X-IDENTITY-HEADER.</summary>
    public string IdentityHeader { get; set; } = RandomSecret();

    /// <summary>The app registrations' federated credentials Entra accepts assertions for.</summary>
    public List<FederatedCredential> FederatedCredentials { get; } = new();

    /// <summary>The managed identities the managed-identity endpoint can issue tokens for.</summary>
    public List<ManagedIdentityBinding> ManagedIdentities { get; } = new();

    private static string RandomSecret() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}

/// <summary>GitHub Actions' OIDC constants.</summary>
public static class GitHubActions
{
    /// <summary>The <c>iss</c> of every GitHub Actions ID token.</summary>
    public const string Issuer = "https://token.actions.githubusercontent.com";

    /// <summary>The audience Entra's workload identity federation expects (azure/login asks for it).</summary>
    public const string AzureAudience = "api://AzureADTokenExchange";
}
