using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Azure.Security.KeyVault.Secrets;
using Foundry.Engine.Cleanup;
using Foundry.Engine.Connection;
using Foundry.Engine.Environments;
using Foundry.Engine.Errors;
using Foundry.Engine.Graph;
using Foundry.Engine.Rest;

namespace Foundry.Engine;

/// <summary>The connection the Engine made: which cloud, tenant and subscription.</summary>
public sealed record ConnectionInfo(string Cloud, string Endpoint, string TenantId, string SubscriptionId, string? SubscriptionName, string? State);

/// <summary>
/// The Engine's entry point: one per connection, holding one ArmClient (pinned api-versions, the SDK's retry policy,
/// no content logging — bodies can carry keys) and a SecretClient per vault, and the operations built on them.
/// </summary>
public sealed class FoundryEngine
{
    private readonly EngineServices services;
    private readonly EngineOptions options;

    private FoundryEngine(EngineOptions options, EngineServices services)
    {
        this.options = options;
        this.services = services;
    }

    /// <summary>Builds an Engine; nothing is called until an operation runs.</summary>
    public static FoundryEngine Create(EngineOptions options)
    {
        if (options is null) throw new ArgumentNullException(nameof(options));
        var transport = EngineTransport.For(options);
        var credential = EngineCredential.For(options, transport);
        var arm = new ArmClientOptions { Environment = new ArmEnvironment(options.ResolvedArmEndpoint, options.ResolvedAudience) };
        Configure(arm, transport, options);
        ApiVersions.Pin(arm);
        // One budget for every request this Engine sends to Resource Manager: all environments of a fleet run and the cleanup.
        var budget = new RequestBudget();
        arm.AddPolicy(new RequestBudgetPolicy(budget, options.ResolvedArmEndpoint), HttpPipelinePosition.PerRetry);
        var secretOptions = new SecretClientOptions();
        Configure(secretOptions, transport, options);
        var dataPlane = new OpenAI.DataPlaneOptions();
        Configure(dataPlane, transport, options);
        var armClient = new ArmClient(credential, options.SubscriptionId, arm);
        var services = new EngineServices(armClient, vault => new SecretClient(vault, credential, secretOptions), options.Timings,
            token => EngineCredential.PrincipalAsync(credential, options.ResolvedAudience, token), options.TenantId ?? "", dataPlane, credential, CognitiveServicesScope(options.Cloud),
            options.Clock);
        return new FoundryEngine(options, services) { budget = budget };
    }

    private RequestBudget budget = new();

    /// <summary>Resource Manager and Resource Graph requests answered 429 so far (each was retried after its Retry-After).</summary>
    public int RequestsThrottled => budget.Throttled;

    /// <summary>"up".</summary>
    public EnvironmentProvisioner Provisioner => new(services);

    /// <summary>Key rotation.</summary>
    public KeyRotator Rotator => new(services);

    /// <summary>Scans files for an environment's keys and revokes exposed ones.</summary>
    public KeyExposureResponder Exposure => new(services);

    /// <summary>"down".</summary>
    public EnvironmentRemover Remover => new(services);

    /// <summary>Reads environments back from Azure.</summary>
    public EnvironmentReader Reader => new(services);

    /// <summary>Checks an environment for drift from what up made.</summary>
    public EnvironmentInspector Inspector => new(services);

    /// <summary>Resource Graph queries.</summary>
    public GraphOperations Graph => services.Graph;

    /// <summary>Deletes managed resources with retries.</summary>
    public ManagedResourceCleaner Cleaner => new(services);

    /// <summary>Checks the connection by reading the subscription.</summary>
    public async Task<ConnectionInfo> ConnectAsync(CancellationToken cancellationToken)
    {
        var context = new FailureContext("read the subscription", options.SubscriptionId);
        return await AzureErrors.Guard(context, async () =>
        {
            SubscriptionResource subscription = options.SubscriptionId is null
                ? await services.Arm.GetDefaultSubscriptionAsync(cancellationToken).ConfigureAwait(false)
                : (await services.Arm.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(options.SubscriptionId)).GetAsync(cancellationToken).ConfigureAwait(false)).Value;
            var data = subscription.Data;
            return new ConnectionInfo(options.Cloud.ToString(), options.ResolvedArmEndpoint.ToString(), data.TenantId?.ToString() ?? options.TenantId ?? "",
                data.SubscriptionId, data.DisplayName, data.State?.ToString());
        }).ConfigureAwait(false);
    }

    /// <summary>The Entra token scope of Azure OpenAI per cloud (the emulator's plain tokens ignore it).</summary>
    private static string CognitiveServicesScope(FoundryCloud cloud) => cloud switch
    {
        FoundryCloud.AzureUSGovernment => "https://cognitiveservices.azure.us/.default",
        FoundryCloud.AzureChinaCloud => "https://cognitiveservices.azure.cn/.default",
        _ => OpenAI.ChatOperations.PublicCloudScope,
    };

    private static void Configure(ClientOptions client, Azure.Core.Pipeline.HttpPipelineTransport? transport, EngineOptions options)
    {
        if (transport is not null) client.Transport = transport;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Delay = options.RetryDelay;
        client.Retry.MaxDelay = TimeSpan.FromSeconds(60);
        client.Retry.Mode = RetryMode.Exponential;
        client.Diagnostics.ApplicationId = "Foundry/" + typeof(FoundryEngine).Assembly.GetName().Version?.ToString(3);
        // Response bodies of listKeys and secrets hold keys: content is never logged, whatever listeners are attached.
        client.Diagnostics.IsLoggingContentEnabled = false;
        // -Debug: method, URL, status, duration and request ids of every attempt, redacted (Connection/HttpTrace.cs).
        client.AddPolicy(new HttpTracePolicy(), HttpPipelinePosition.PerRetry);
    }
}
