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

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port, listen => listen.UseHttps(certificate));
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
        });
        var app = builder.Build();
        var pipeline = new EmulatorPipeline(cloud, routes);
        app.Run(pipeline.InvokeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var host = new EmulatorHost(app, cloud, certificate, port);
        if (options.ConnectionFile is not null) host.WriteConnectionFile(options.ConnectionFile);
        return host;
    }

    /// <summary>Where other processes find this emulator: endpoint, certificate thumbprint to pin, tenant, subscriptions.</summary>
    public void WriteConnectionFile(string path)
    {
        var info = new EmulatorConnection(ManagementEndpoint.ToString(), CertificateThumbprint, TenantId, Subscriptions.ToArray(), Environment.ProcessId);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
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
public sealed record EmulatorConnection(string Endpoint, string Thumbprint, string TenantId, string[] Subscriptions, int ProcessId);
