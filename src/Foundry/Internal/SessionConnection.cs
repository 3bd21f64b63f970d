using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;
using Foundry.Engine;
using Foundry.Engine.Connection;

namespace Foundry.Internal;

/// <summary>
/// The connection and policy each runspace uses (several runspaces share one process in hosts and tests). Until
/// Connect-Foundry runs, it comes from the environment: FOUNDRY_CLOUD (AzureCloud, AzureUSGovernment, AzureChinaCloud,
/// Local), FOUNDRY_SUBSCRIPTION_ID, FOUNDRY_TENANT_ID, FOUNDRY_MANAGED_IDENTITY_CLIENT_ID, FOUNDRY_EMULATOR_CONNECTION and
/// FOUNDRY_POLICY.
/// </summary>
internal static class SessionConnection
{
    private static readonly ConcurrentDictionary<Guid, Holder> ByRunspace = new();

    private sealed class Holder
    {
        public EngineOptions? Options;
        public FoundryEngine? Engine;
        public string? PolicyPath;
        public bool Connected;
    }

    private static Holder Current => ByRunspace.GetOrAdd(Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty, _ => new Holder());

    public static void Set(EngineOptions options, string? policyPath)
    {
        var holder = Current;
        lock (holder)
        {
            holder.Options = options;
            holder.Engine = null;
            holder.Connected = true;
            if (policyPath is not null) holder.PolicyPath = policyPath;
        }
    }

    /// <summary>Whether Connect-Foundry ran in this runspace (tab completion asks Azure only then).</summary>
    public static bool IsConnected
    {
        get
        {
            var holder = Current;
            lock (holder) return holder.Connected;
        }
    }

    public static EngineOptions Options
    {
        get
        {
            var holder = Current;
            lock (holder) return holder.Options ??= FromEnvironment(null, null, null, null, null);
        }
    }

    public static FoundryEngine Engine
    {
        get
        {
            var holder = Current;
            lock (holder) return holder.Engine ??= FoundryEngine.Create(holder.Options ??= FromEnvironment(null, null, null, null, null));
        }
    }

    /// <summary>The policy file: the parameter, else Connect-Foundry's, else FOUNDRY_POLICY, else ./foundry.policy.json.</summary>
    public static string PolicyPath(string? parameter, string currentDirectory)
    {
        var holder = Current;
        var path = parameter ?? holder.PolicyPath ?? Environment.GetEnvironmentVariable("FOUNDRY_POLICY") ?? "foundry.policy.json";
        return Path.IsPathRooted(path) ? path : Path.Combine(currentDirectory, path);
    }

    /// <summary>Options for a cloud; for Local, the emulator's connection file supplies endpoint, certificate and tenant.</summary>
    public static EngineOptions FromEnvironment(string? cloud, string? subscriptionId, string? tenantId, string? emulatorConnectionFile, string? managedIdentityClientId)
    {
        var name = cloud ?? Environment.GetEnvironmentVariable("FOUNDRY_CLOUD") ?? nameof(FoundryCloud.AzureCloud);
        if (!Enum.TryParse<FoundryCloud>(name, ignoreCase: true, out var kind))
        {
            throw new FoundryEngineException(FailureKind.InvalidRequest, "UnknownCloud", $"'{name}' is not a cloud Foundry knows.",
                "Use AzureCloud, AzureUSGovernment, AzureChinaCloud or Local (FOUNDRY_CLOUD or Connect-Foundry -Cloud).");
        }
        var options = new EngineOptions
        {
            Cloud = kind,
            SubscriptionId = subscriptionId ?? Environment.GetEnvironmentVariable("FOUNDRY_SUBSCRIPTION_ID"),
            TenantId = tenantId ?? Environment.GetEnvironmentVariable("FOUNDRY_TENANT_ID"),
            ManagedIdentityClientId = managedIdentityClientId ?? Environment.GetEnvironmentVariable("FOUNDRY_MANAGED_IDENTITY_CLIENT_ID"),
        };
        if (kind == FoundryCloud.Local)
        {
            var local = EmulatorConnection.Read(emulatorConnectionFile);
            options.ArmEndpoint = local.Endpoint;
            options.TrustedCertificateThumbprint = local.Thumbprint;
            options.TenantId ??= local.TenantId;
            options.SubscriptionId ??= local.Subscriptions.FirstOrDefault();
            // The local cloud answers at once, so polls and retries are quick; FOUNDRY_LOCAL_TIMINGS=azure keeps Azure's
            // (benchmarks give the emulator Azure-like operation durations and measure Foundry as it runs against Azure).
            if (!string.Equals(Environment.GetEnvironmentVariable("FOUNDRY_LOCAL_TIMINGS"), "azure", StringComparison.OrdinalIgnoreCase))
            {
                options.Timings = new EngineTimings(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
                options.RetryDelay = TimeSpan.FromMilliseconds(200);
            }
            if (Environment.GetEnvironmentVariable("FOUNDRY_LOCAL_PRINCIPAL") is { Length: > 0 } principal) options.LocalPrincipal = principal;
        }
        return options;
    }
}
