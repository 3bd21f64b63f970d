using Azure.ResourceManager;
using Azure.Security.KeyVault.Secrets;
using Foundry.Engine.Access;
using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Deployments;
using Foundry.Engine.Graph;
using Foundry.Engine.Groups;
using Foundry.Engine.Secrets;
using Foundry.Engine.Tags;
using Foundry.Engine.Vaults;

namespace Foundry.Engine;

/// <summary>Timings the Engine uses between calls; tests shrink them to milliseconds.</summary>
/// <param name="PollingInterval">Poll interval when the service sends no Retry-After.</param>
/// <param name="ConflictRetryDelay">First backoff for 409 RequestConflict retries.</param>
/// <param name="PropagationTimeout">How long to retry a 403 right after a role assignment (RBAC propagation).</param>
public sealed record EngineTimings(TimeSpan PollingInterval, TimeSpan ConflictRetryDelay, TimeSpan PropagationTimeout)
{
    /// <summary>Azure-appropriate defaults.</summary>
    public static EngineTimings Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5));

    /// <summary>How long an environment lease lasts unless renewed (its holder renews it every third of this).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often a run waiting for another run's lease looks again (randomised around it).</summary>
    public TimeSpan LeaseRetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a run waits for another run's lease before it fails with EnvironmentBusy.</summary>
    public TimeSpan LeaseWaitLimit { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>One operations object per Azure concern, sharing one ArmClient and one SecretClient factory.</summary>
internal sealed class EngineServices
{
    public EngineServices(ArmClient arm, Func<Uri, SecretClient> secretClientFor, EngineTimings timings, Func<CancellationToken, Task<string>> currentPrincipal, string tenantId,
        Azure.Core.ClientOptions dataPlane, Azure.Core.TokenCredential? dataPlaneCredential = null, string dataPlaneScope = OpenAI.ChatOperations.PublicCloudScope,
        TimeProvider? clock = null)
    {
        Arm = arm;
        Timings = timings;
        CurrentPrincipal = currentPrincipal;
        TenantId = tenantId;
        Groups = new ResourceGroupOperations(arm, timings.PollingInterval);
        Accounts = new AccountOperations(arm, timings.PollingInterval);
        Tags = new TagOperations(arm);
        Deployments = new DeploymentOperations(arm, timings.PollingInterval, timings.ConflictRetryDelay);
        Vaults = new VaultOperations(arm, timings.PollingInterval);
        Secrets = new SecretOperations(secretClientFor, timings.PollingInterval);
        Leases = new LeaseRecords(secretClientFor);
        Apps = new AppOperations(arm);
        RoleAssignments = new RoleAssignmentOperations(arm);
        Graph = new GraphOperations(arm);
        Capacity = new Environments.RegionCapacity(arm);
        Lifecycle = new ModelLifecycle(arm, clock);
        Probe = new ResourceProbe(arm);
        Chat = new OpenAI.ChatOperations(dataPlane, dataPlaneCredential, dataPlaneScope);
    }

    public ArmClient Arm { get; }
    /// <summary>Model versions' retirement dates.</summary>
    public ModelLifecycle Lifecycle { get; }
    public EngineTimings Timings { get; }
    /// <summary>The signed-in principal's object id (from the token), for data-plane role assignments.</summary>
    public Func<CancellationToken, Task<string>> CurrentPrincipal { get; }
    public string TenantId { get; private set; }

    /// <summary>The tenant for new vaults: the configured one, else the subscription's.</summary>
    public async Task<string> ResolveTenantAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(TenantId)) return TenantId;
        var subscription = await Arm.GetSubscriptionResource(Azure.ResourceManager.Resources.SubscriptionResource.CreateResourceIdentifier(subscriptionId))
            .GetAsync(cancellationToken).ConfigureAwait(false);
        return TenantId = subscription.Value.Data.TenantId?.ToString() ?? "";
    }
    public ResourceGroupOperations Groups { get; }
    public AccountOperations Accounts { get; }
    public TagOperations Tags { get; }
    public DeploymentOperations Deployments { get; }
    public VaultOperations Vaults { get; }
    public SecretOperations Secrets { get; }
    public LeaseRecords Leases { get; }
    public AppOperations Apps { get; }
    public RoleAssignmentOperations RoleAssignments { get; }
    public GraphOperations Graph { get; }
    public Environments.RegionCapacity Capacity { get; }
    public ResourceProbe Probe { get; }
    public OpenAI.ChatOperations Chat { get; }
}
