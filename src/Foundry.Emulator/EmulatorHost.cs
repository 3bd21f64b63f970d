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
    private readonly FolderLock? folderLock;
    private string? connectionFile;

    private EmulatorHost(WebApplication app, LocalCloud cloud, X509Certificate2 certificate, int port, FolderLock? folderLock)
    {
        this.app = app;
        this.folderLock = folderLock;
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

    /// <summary>The secret the control surface (/_emulator/…) requires in <see cref="ControlTokenHeader"/>; written to the connection file.</summary>
    public string ControlToken => Cloud.ControlToken;

    /// <summary>The request header that carries <see cref="ControlToken"/>.</summary>
    public const string ControlTokenHeader = "x-foundry-emulator-token";

    /// <summary>The Entra-like authority host (AZURE_AUTHORITY_HOST for a client): its token endpoint is {tenant}/oauth2/v2.0/token.</summary>
    public Uri AuthorityHost => new($"https://{Identity.TokenEndpointsArea.EntraHost}:{Port}/");

    /// <summary>What GitHub Actions puts in ACTIONS_ID_TOKEN_REQUEST_URL (the request token is <see cref="Identity.IdentityOptions.ActionsRequestToken"/>).</summary>
    public Uri ActionsIdTokenRequestUrl => new($"https://{Identity.TokenEndpointsArea.ActionsHost}:{Port}/local/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/local-plan/jobs/local-job/idtoken?api-version=2.0");

    /// <summary>What App Service and Azure Automation put in IDENTITY_ENDPOINT (the secret is <see cref="Identity.IdentityOptions.IdentityHeader"/>).</summary>
    public Uri ManagedIdentityEndpoint => new($"https://{Identity.TokenEndpointsArea.ManagedIdentityHost}:{Port}/msi/token");

    public Uri VaultUri(string vaultName) => new($"https://{vaultName.ToLowerInvariant()}.vault.localhost:{Port}/");

    /// <summary>
    /// Starts the emulator. With a state file it first takes the state folder's <c>emulator.lock</c> (one emulator per
    /// folder: two would each load the file and the last to save would drop the other's writes) and loads the state
    /// only once it holds it; <see cref="EmulatorFolderInUseException"/> when another process runs that folder's emulator.
    /// </summary>
    public static async Task<EmulatorHost> StartAsync(EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EmulatorOptions();
        FolderLock? folderLock = null;
        if (options.StateFile is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(options.StateFile))!;
            folderLock = FolderLock.TryOwnEmulator(folder) ?? throw new EmulatorFolderInUseException(folder);
        }
        try
        {
            return await StartOwnedAsync(options, folderLock, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            folderLock?.Dispose();
            throw;
        }
    }

    private static async Task<EmulatorHost> StartOwnedAsync(EmulatorOptions options, FolderLock? folderLock, CancellationToken cancellationToken)
    {
        // With a state folder the certificate lives there too, so clients that pinned its thumbprint survive a restart.
        var certificate = options.StateFile is null
            ? EmulatorCertificate.Create()
            : EmulatorCertificate.LoadOrCreate(Path.GetDirectoryName(Path.GetFullPath(options.StateFile))!, DateTimeOffset.UtcNow);
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
        var host = new EmulatorHost(app, cloud, certificate, port, folderLock);
        if (options.ConnectionFile is not null) host.WriteConnectionFile(options.ConnectionFile);
        return host;
    }

    private static async Task<WebApplication> ListenAsync(LocalCloud cloud, RouteTable routes, X509Certificate2 certificate, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, Hosting.EmbeddedLifetime>();
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

    /// <summary>
    /// Where other processes find this emulator: endpoint, certificate thumbprint to pin, tenant, subscriptions, this
    /// process's id and the control token. Written 0600 by write-then-rename; removed again when this host stops.
    /// </summary>
    public void WriteConnectionFile(string path)
    {
        var info = new EmulatorConnection(ManagementEndpoint.ToString(), CertificateThumbprint, TenantId, Subscriptions.ToArray(), Environment.ProcessId, ControlToken,
            Cloud.Realism.Name, Cloud.Realism.TimeScale);
        PrivateFile.WriteAllText(path, info.ToJson());
        connectionFile = Path.GetFullPath(path);
    }

    /// <summary>
    /// Makes sure a customer's Function App exists (with a system-assigned identity and one unrelated setting), so the
    /// offline demo has an app to wire. Idempotent; returns whether it created anything.
    /// </summary>
    public bool EnsureFunctionApp(string subscriptionId, string resourceGroup, string name, string location) =>
        Web.FunctionApps.Ensure(Cloud, subscriptionId, resourceGroup, name, location);

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

    /// <summary>Removes the connection file (while it is still this host's), stops listening, then frees the state folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (connectionFile is not null && EmulatorConnection.TryRead(connectionFile)?.ControlToken == ControlToken) File.Delete(connectionFile);
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        Certificate.Dispose();
        folderLock?.Dispose();
    }

    // Order matters: the generic resource route comes last so that every provider's own routes win.
    private static IEnumerable<IEmulatorArea> Areas() => new IEmulatorArea[]
    {
        new EmulatorControlArea(),
        new ResourceManagerArea(),
        new CognitiveServices.CognitiveServicesArea(),
        new KeyVault.KeyVaultManagementArea(),
        new Identity.ManagedIdentityArea(),
        new Identity.TokenEndpointsArea(),
        new Web.WebArea(),
        new Authorization.AuthorizationArea(),
        new Policy.PolicyAssignmentsArea(),
        new ResourceGraph.ResourceGraphArea(),
        new KeyVault.KeyVaultSecretsArea(),
        new OpenAI.OpenAIArea(),
        new GenericResourceArea(),
    };
}

/// <summary>The connection file's content.</summary>
/// <remarks>Profile and TimeScale say how hard the cloud is (fast or realistic) and how its Azure-term delays are scaled, so a client can wait accordingly.</remarks>
public sealed record EmulatorConnection(string Endpoint, string Thumbprint, string TenantId, string[] Subscriptions, int ProcessId, string? ControlToken,
    string Profile = "fast", double TimeScale = 1)
{
    private static readonly JsonSerializerOptions Format = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Format);

    /// <summary>The file's content, or null when it is missing, half-written or not a connection file.</summary>
    public static EmulatorConnection? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<EmulatorConnection>(File.ReadAllText(path), Format) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}

/// <summary>Another process runs the emulator on this state folder (it holds <c>emulator.lock</c>): join it through connection.json, or wait.</summary>
public sealed class EmulatorFolderInUseException(string folder)
    : IOException($"Another process runs the local cloud on '{folder}' (it holds {FolderLock.EmulatorLockName}).")
{
    public string Folder { get; } = folder;
}
