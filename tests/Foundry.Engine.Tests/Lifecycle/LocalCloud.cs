using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using Azure.Security.KeyVault.Secrets;
using Foundry.Emulator;
using Foundry.Emulator.State;
using Foundry.Engine.Audit;
using Foundry.Engine.Environments;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>An emulator plus the Engine's services wired to it, with a policy for app "contoso": one Function App each for dev and staging, one shared by the pr-* environments.</summary>
public sealed class LocalCloud : IAsyncLifetime
{
    public const string Operator = "local-operator";

    public EmulatorHost Host { get; private set; } = null!;
    internal EngineServices Services { get; private set; } = null!;
    public FoundryPolicy Policy { get; private set; } = null!;
    public string Subscription => Host.DefaultSubscription;

    private EmulatorOptions options = new();

    public static async Task<LocalCloud> StartAsync(EmulatorOptions? options = null)
    {
        var cloud = new LocalCloud { options = options ?? new EmulatorOptions() };
        await cloud.InitializeAsync();
        return cloud;
    }

    public async Task InitializeAsync()
    {
        // FOUNDRY_EMULATOR_PROFILE picks the profile for tests that did not choose one (the realistic test project sets
        // it); a test with its own clock keeps the fast profile, as the realistic delays run on that clock.
        if (options.Realism.IsFast && options.Time == TimeProvider.System) options.Realism = Foundry.Emulator.Realism.RealismProfile.FromEnvironment();
        Host = await EmulatorHost.StartAsync(options);
        var transport = new HttpClientTransport(Handler());
        var arm = new ArmClientOptions { Environment = new ArmEnvironment(Host.ManagementEndpoint, Host.ManagementEndpoint.ToString()), Transport = transport };
        arm.Retry.Delay = TimeSpan.FromMilliseconds(20);
        Foundry.Engine.Rest.ApiVersions.Pin(arm);
        var credential = new Token(Operator);
        var secrets = new SecretClientOptions { Transport = transport };
        secrets.Retry.Delay = TimeSpan.FromMilliseconds(20);
        var dataPlane = new Foundry.Engine.OpenAI.DataPlaneOptions { Transport = transport };
        dataPlane.Retry.Delay = TimeSpan.FromMilliseconds(20);
        Services = new EngineServices(new ArmClient(credential, Subscription, arm), uri => new SecretClient(uri, credential, secrets),
            new EngineTimings(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2)), _ => Task.FromResult(Operator), Host.TenantId, dataPlane, credential);
        Policy = PolicyFor(Subscription);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public static FoundryPolicy PolicyFor(string subscription, string extraDefaults = "") => PolicyReader.Parse($$"""
        {
          "app": "contoso",
          "defaults": {
            "subscriptionId": "{{subscription}}",
            "location": "eastus",
            "fallbackLocations": ["swedencentral"],
            "deployments": [ { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 10 } ],
            "requiredTags": { "cost-center": "ai" },
            "keyVault": { "create": true },
            "rotation": { "refreshTimeoutSeconds": 5 }{{extraDefaults}}
          },
          "environments": {
            "dev": { "apps": [ { "name": "func-contoso-dev", "resourceGroup": "rg-apps" } ] },
            "staging": { "apps": [ { "name": "func-contoso-staging", "resourceGroup": "rg-apps" } ] },
            "pr-*": { "apps": [ { "name": "func-contoso-pr", "resourceGroup": "rg-apps", "shared": true } ] }
          }
        }
        """);

    /// <summary>Creates the customer's Function App (with a system identity and an unrelated setting) that up will wire.</summary>
    public async Task CreateAppAsync(string name, bool identity = true)
    {
        using var http = Http();
        var group = await http.PutAsync($"/subscriptions/{Subscription}/resourcegroups/rg-apps?api-version=2025-04-01", Json("{\"location\":\"eastus\"}"));
        Assert.True(group.IsSuccessStatusCode, await group.Content.ReadAsStringAsync());
        var site = await http.PutAsync($"/subscriptions/{Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{name}?api-version=2024-11-01",
            Json($"{{\"location\":\"eastus\",\"kind\":\"functionapp,linux\"{(identity ? ",\"identity\":{\"type\":\"SystemAssigned\"}" : "")},\"properties\":{{}}}}"));
        Assert.True(site.IsSuccessStatusCode, await site.Content.ReadAsStringAsync());
        var settings = await http.PutAsync($"/subscriptions/{Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{name}/config/appsettings?api-version=2024-11-01",
            Json("{\"properties\":{\"UNRELATED_SETTING\":\"keep-me\"}}"));
        Assert.True(settings.IsSuccessStatusCode, await settings.Content.ReadAsStringAsync());
    }

    /// <summary>Seeds an Azure Policy assignment (see Foundry.Emulator.Policy.BuiltInPolicies) that Resource Manager applies from the next request.</summary>
    public void AssignPolicy(Foundry.Emulator.State.PolicyAssignment assignment) => Host.Cloud.AssignPolicy(assignment);

    /// <summary>An app's settings as the emulator holds them.</summary>
    public Dictionary<string, string> AppSettings(string site)
    {
        lock (Host.Cloud.Sync)
        {
            var id = $"/subscriptions/{Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{site}".ToLowerInvariant();
            return new Dictionary<string, string>(Host.Cloud.State.AppSettings[id]);
        }
    }

    /// <summary>The account's keys as the emulator holds them.</summary>
    public (string Key1, string Key2) Keys(string accountId)
    {
        lock (Host.Cloud.Sync)
        {
            var keys = Host.Cloud.State.AccountKeys[accountId.ToLowerInvariant()];
            return (keys.Key1, keys.Key2);
        }
    }

    /// <summary>The latest value of a secret as the emulator holds it.</summary>
    public string? SecretValue(string vault, string name)
    {
        lock (Host.Cloud.Sync)
        {
            return Host.Cloud.State.Vaults.TryGetValue(vault.ToLowerInvariant(), out var content) && content.Secrets.TryGetValue(name.ToLowerInvariant(), out var secret) ? secret.Latest?.Value
                : Host.Cloud.State.Vaults.TryGetValue(vault.ToLowerInvariant(), out content) ? content.Secrets.Values.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Latest?.Value
                : null;
        }
    }

    /// <summary>The value an app currently resolves for a Key Vault reference setting (what its code would send).</summary>
    public string? ResolvedValue(string site, string setting)
    {
        lock (Host.Cloud.Sync)
        {
            var id = $"/subscriptions/{Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{site}".ToLowerInvariant();
            return Host.Cloud.State.ResolvedReferences.TryGetValue(id, out var references) && references.TryGetValue(setting, out var reference) ? reference.Value : null;
        }
    }

    public int CountResources(Func<Foundry.Emulator.State.ArmResource, bool> filter)
    {
        lock (Host.Cloud.Sync) return Host.Cloud.State.Resources.Values.Count(filter);
    }

    public HttpClient Http()
    {
        var http = new HttpClient(Handler()) { BaseAddress = Host.ManagementEndpoint };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Operator);
        return http;
    }

    /// <summary>A client for any emulator host (data planes such as {subdomain}.openai.localhost included).</summary>
    public HttpClient DataPlaneHttp() => new(Handler());

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public EnvironmentProvisioner Provisioner => new(Services);
    public KeyRotator Rotator => new(Services);
    public EnvironmentRemover Remover => new(Services);
    public EnvironmentReader Reader => new(Services);
    public EnvironmentInspector Inspector => new(Services);
    public static AuditLog NoAudit => new(null);

    public Task<ProvisionResult> UpAsync(string environment, bool whatIf = false) =>
        Provisioner.ProvisionAsync(Policy, environment, whatIf, Guid.NewGuid().ToString("n"), NoAudit, NullReporter.Instance, CancellationToken.None);

    /// <summary>Writes since the mark: PUT/PATCH/DELETE and POSTs that change state (listKeys, lists and queries excluded).</summary>
    public int MutatingSince(int mark) => Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating);

    public int Mark => Host.Cloud.Log.All.Count;

    /// <summary>A view of the state for before/after comparisons (ids, tags, settings, secret versions).</summary>
    public string Snapshot(Func<string, bool> include)
    {
        lock (Host.Cloud.Sync)
        {
            var state = Host.Cloud.State;
            var node = new JsonObject();
            foreach (var resource in state.Resources.Values.Where(r => include(r.Id)).OrderBy(r => r.Id, StringComparer.OrdinalIgnoreCase))
            {
                node[resource.Id.ToLowerInvariant()] = new JsonObject
                {
                    ["tags"] = Foundry.Emulator.State.ArmResource.TagsJson(resource.Tags ?? new Dictionary<string, string>()),
                    ["provisioningState"] = resource.ProvisioningState,
                    ["settings"] = state.AppSettings.TryGetValue(resource.Id.ToLowerInvariant(), out var settings) ? Foundry.Emulator.State.ArmResource.TagsJson(settings) : null,
                };
            }
            foreach (var (vault, content) in state.Vaults.Where(v => include(v.Key)).OrderBy(v => v.Key))
            {
                foreach (var (name, secret) in content.Secrets) node[$"{vault}/{name}"] = string.Join(",", secret.Versions.Select(v => v.Version)) + (secret.IsDeleted ? " deleted" : "");
            }
            return node.ToJsonString();
        }
    }

    private SocketsHttpHandler Handler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == Host.CertificateThumbprint,
        },
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    private sealed class Token(string principal) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(principal, DateTimeOffset.UtcNow.AddHours(1));
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(GetToken(requestContext, cancellationToken));
    }
}
