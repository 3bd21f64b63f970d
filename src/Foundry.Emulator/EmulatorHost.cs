using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Foundry.Emulator.Arm;
using Foundry.Emulator.Control;
using Foundry.Emulator.Hosting;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Foundry.Emulator;

/// <summary>
/// The local Azure: one HTTPS listener on loopback that serves Resource Manager (https://localhost:{port}),
/// Key Vault ({vault}.vault.localhost) and Azure OpenAI ({subdomain}.openai.localhost) by host name.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private EmulatorHost(WebApplication app, LocalCloud cloud, X509Certificate2 certificate, int port)
    {
        this.app = app;
        Cloud = cloud;
        Certificate = certificate;
        Port = port;
    }

    public LocalCloud Cloud { get; }
    public X509Certificate2 Certificate { get; }
    public string CertificateThumbprint => Certificate.Thumbprint;
    public int Port { get; }
    public Uri ManagementEndpoint => new($"https://localhost:{Port}/");
    public string TenantId => Cloud.State.TenantId;
    public IReadOnlyList<string> Subscriptions => Cloud.State.Subscriptions;
    public string DefaultSubscription => Cloud.State.Subscriptions[0];

    public Uri VaultUri(string vaultName) => new($"https://{vaultName.ToLowerInvariant()}.vault.localhost:{Port}/");

    public static async Task<EmulatorHost> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        var certificate = EmulatorCertificate.Create();
        var cloud = new LocalCloud(options);
        var routes = new RouteTable();
        foreach (var area in Areas()) area.Register(routes, cloud);

        var previousPort = cloud.State.Port;
        WebApplication app;
        try
        {
            app = await ListenAsync(cloud, routes, certificate, options.Port != 0 ? options.Port : previousPort, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (options.Port == 0 && previousPort != 0)
        {
            app = await ListenAsync(cloud, routes, certificate, 0, cancellationToken).ConfigureAwait(false);
        }

        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        lock (cloud.Sync)
        {
            if (previousPort != 0 && previousPort != port) StoredUrls.Rewrite(cloud.State, previousPort, port);
            cloud.State.Port = port;
            cloud.Save();
        }
        var host = new EmulatorHost(app, cloud, certificate, port);
        if (options.ConnectionFile is not null) host.WriteConnectionFile(options.ConnectionFile);
        return host;
    }

    private static async Task<WebApplication> ListenAsync(LocalCloud cloud, RouteTable routes, X509Certificate2 certificate, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate));
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
        });
        var app = builder.Build();
        var pipeline = new EmulatorPipeline(cloud, routes);
        app.Run(pipeline.InvokeAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return app;
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Where other processes find this emulator: endpoint, certificate thumbprint to pin, tenant, subscriptions.</summary>
    public void WriteConnectionFile(string path)
    {
        var info = new EmulatorConnection(ManagementEndpoint.ToString(), CertificateThumbprint, TenantId, Subscriptions.ToArray(), Environment.ProcessId,
            Cloud.Realism.Name, Cloud.Realism.TimeScale);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
    }

    /// <summary>
    /// Makes sure a customer's Function App exists (with a system-assigned identity and one unrelated setting), so the
    /// offline demo has an app to wire. Idempotent; returns whether it created anything.
    /// </summary>
    public bool EnsureFunctionApp(string subscriptionId, string resourceGroup, string name, string location)
    {
        lock (Cloud.Sync)
        {
            var state = Cloud.State;
            var created = false;
            var groupId = ResourceIds.ResourceGroupId(subscriptionId, resourceGroup);
            if (state.Find(groupId) is null)
            {
                var group = new ArmResource { Id = groupId, Name = resourceGroup, Type = "Microsoft.Resources/resourceGroups", SubscriptionId = subscriptionId, ResourceGroup = resourceGroup, Location = location, CreatedAt = Cloud.Now, UpdatedAt = Cloud.Now };
                group.ProvisioningState = "Succeeded";
                state.Put(group);
                created = true;
            }
            var siteId = ResourceIds.Resource(subscriptionId, resourceGroup, "Microsoft.Web/sites", name);
            if (state.Find(siteId) is null)
            {
                var site = new ArmResource
                {
                    Id = siteId, Name = name, Type = "Microsoft.Web/sites", SubscriptionId = subscriptionId, ResourceGroup = resourceGroup, Location = location, Kind = "functionapp,linux",
                    Identity = new System.Text.Json.Nodes.JsonObject { ["type"] = "SystemAssigned", ["tenantId"] = state.TenantId, ["principalId"] = Guid.NewGuid().ToString() },
                    CreatedAt = Cloud.Now, UpdatedAt = Cloud.Now,
                };
                site.Properties["defaultHostName"] = $"{name.ToLowerInvariant()}.azurewebsites.localhost";
                site.Properties["state"] = "Running";
                site.ProvisioningState = "Succeeded";
                state.Put(site);
                state.AppSettings[EmulatorState.Key(siteId)] = new Dictionary<string, string> { ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated" };
                created = true;
            }
            if (created) Cloud.Save();
            return created;
        }
    }

    /// <summary>Fills a resource group with tagged storage accounts that Foundry manages (benchmarks and scale demos).</summary>
    public IReadOnlyList<string> SeedManagedResources(string subscriptionId, string resourceGroup, int count, string environment)
    {
        EnsureFunctionApp(subscriptionId, resourceGroup, "func-seed-" + environment, "eastus");
        var ids = new List<string>();
        lock (Cloud.Sync)
        {
            for (var i = 0; i < count; i++)
            {
                var id = ResourceIds.Resource(subscriptionId, resourceGroup, "Microsoft.Storage/storageAccounts", $"st{environment.Replace("-", "")}{i:D5}");
                var resource = new ArmResource
                {
                    Id = id, Name = id.Split('/').Last(), Type = "Microsoft.Storage/storageAccounts", SubscriptionId = subscriptionId, ResourceGroup = resourceGroup,
                    Location = "eastus", CreatedAt = Cloud.Now, UpdatedAt = Cloud.Now,
                    Tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["foundry-managed"] = "true", ["foundry-env"] = environment, ["foundry-app"] = "seed" },
                };
                resource.ProvisioningState = "Succeeded";
                Cloud.State.Put(resource);
                ids.Add(id);
            }
        }
        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        Certificate.Dispose();
    }

    // Order matters: the generic resource route comes last so that every provider's own routes win.
    private static IEnumerable<IEmulatorArea> Areas() => new IEmulatorArea[]
    {
        new EmulatorControlArea(),
        new ResourceManagerArea(),
        new CognitiveServices.CognitiveServicesArea(),
        new KeyVault.KeyVaultManagementArea(),
        new Web.WebArea(),
        new Authorization.AuthorizationArea(),
        new ResourceGraph.ResourceGraphArea(),
        new KeyVault.KeyVaultSecretsArea(),
        new OpenAI.OpenAIArea(),
        new GenericResourceArea(),
    };
}

/// <summary>The connection file's content.</summary>
/// <remarks>Profile and TimeScale say how hard the cloud is (fast or realistic) and how its Azure-term delays are scaled, so a client can wait accordingly.</remarks>
public sealed record EmulatorConnection(string Endpoint, string Thumbprint, string TenantId, string[] Subscriptions, int ProcessId, string Profile, double TimeScale);
