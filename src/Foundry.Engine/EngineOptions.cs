namespace Foundry.Engine;

/// <summary>Which cloud the Engine talks to.</summary>
public enum FoundryCloud
{
    /// <summary>Azure public cloud.</summary>
    AzureCloud,
    /// <summary>Azure Government.</summary>
    AzureUSGovernment,
    /// <summary>Azure China (21Vianet).</summary>
    AzureChinaCloud,
    /// <summary>The local emulator (offline, no subscription).</summary>
    Local,
}

/// <summary>A bearer token from the host (for example the session's Az.Accounts context).</summary>
/// <param name="Token">The token text.</param>
/// <param name="ExpiresOn">When it expires.</param>
public sealed record EngineToken(string Token, DateTimeOffset ExpiresOn);

/// <summary>How to build an Engine: cloud, identity, and tuning. Mirrors Azure SDK client options, in BCL types only.</summary>
public sealed class EngineOptions
{
    /// <summary>The cloud.</summary>
    public FoundryCloud Cloud { get; set; } = FoundryCloud.AzureCloud;

    /// <summary>Resource Manager endpoint; derived from <see cref="Cloud"/> when null.</summary>
    public Uri? ArmEndpoint { get; set; }

    /// <summary>Token audience; derived from <see cref="Cloud"/> when null.</summary>
    public string? Audience { get; set; }

    /// <summary>Tenant to authenticate in (optional).</summary>
    public string? TenantId { get; set; }

    /// <summary>Default subscription (the policy names one per environment; this one serves Connect-Foundry).</summary>
    public string? SubscriptionId { get; set; }

    /// <summary>Supplies tokens instead of Azure.Identity's chain (used when the session already has an Az.Accounts context).</summary>
    public Func<string[], CancellationToken, Task<EngineToken>>? TokenProvider { get; set; }

    /// <summary>Client id of a user-assigned managed identity for the credential chain (system-assigned when null).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// Where the credential chain reads its ambient configuration (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, AZURE_CLIENT_ID,
    /// AZURE_TENANT_ID, AZURE_AUTHORITY_HOST, IDENTITY_ENDPOINT/IDENTITY_HEADER); the process environment when null.
    /// Azure.Identity's own credentials (environment, workload and managed identity) still read the process environment.
    /// </summary>
    public Func<string, string?>? EnvironmentVariables { get; set; }

    /// <summary>Entra's authority host; AZURE_AUTHORITY_HOST, else the cloud's, when null (the local emulator's: https://login.localhost:{port}/).</summary>
    public Uri? AuthorityHost { get; set; }

    /// <summary>The emulator's certificate thumbprint to pin; honoured only for loopback endpoints.</summary>
    public string? TrustedCertificateThumbprint { get; set; }

    /// <summary>The principal name the local emulator sees (Local only).</summary>
    public string LocalPrincipal { get; set; } = "local-operator";

    /// <summary>Retries per request for throttling and transient failures (the SDK's retry policy).</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>First retry delay of the SDK's retry policy.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The clock model retirement is judged by; when null, the server's (the Date header of the models list: Azure's
    /// clock, or the local emulator's model-catalogue clock). Tests inject one to stand before, inside or past a window.
    /// </summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>Timings between calls.</summary>
    public EngineTimings Timings { get; set; } = EngineTimings.Default;

    /// <summary>The endpoint in effect.</summary>
    public Uri ResolvedArmEndpoint => ArmEndpoint ?? Cloud switch
    {
        FoundryCloud.AzureUSGovernment => new Uri("https://management.usgovcloudapi.net/"),
        FoundryCloud.AzureChinaCloud => new Uri("https://management.chinacloudapi.cn/"),
        FoundryCloud.Local => throw new InvalidOperationException("The local cloud needs ArmEndpoint (from the emulator's connection file)."),
        _ => new Uri("https://management.azure.com/"),
    };

    /// <summary>The audience in effect.</summary>
    public string ResolvedAudience => Audience ?? ResolvedArmEndpoint.ToString();
}
