using Azure.Core;
using Azure.ResourceManager;
using Azure.Security.KeyVault.Secrets;
using Foundry.Emulator;

namespace Foundry.Tests.Support;

/// <summary>One local cloud per test class (Kestrel starts in about 100 ms), so classes never see each other's state.</summary>
public class EmulatorFixture : IAsyncLifetime
{
    public const string Operator = "local-operator";

    public EmulatorHost Host { get; private set; } = null!;

    public string Subscription => Host.DefaultSubscription;

    public async Task InitializeAsync() => Host = await EmulatorHost.StartAsync(Options());

    /// <summary>How this fixture's cloud starts (the realistic and throttled fixtures override it).</summary>
    protected virtual EmulatorOptions Options() => new();

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public ArmClient CreateArmClient(string principal = Operator, Action<ArmClientOptions>? configure = null)
    {
        var options = new ArmClientOptions
        {
            Environment = new ArmEnvironment(Host.ManagementEndpoint, Host.ManagementEndpoint.ToString()),
            Transport = LocalTransport.CreateTransport(Host.CertificateThumbprint, Host.Port),
        };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(5);
        configure?.Invoke(options);
        return new ArmClient(new StaticTokenCredential(principal), Subscription, options);
    }

    public SecretClient CreateSecretClient(string vaultName, string principal = Operator, Action<SecretClientOptions>? configure = null)
    {
        var options = new SecretClientOptions { Transport = LocalTransport.CreateTransport(Host.CertificateThumbprint, Host.Port) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        configure?.Invoke(options);
        return new SecretClient(Host.VaultUri(vaultName), new StaticTokenCredential(principal), options);
    }

    public HttpClient CreateHttpClient() => new(LocalTransport.CreateHandler(Host.CertificateThumbprint, Host.Port))
    {
        BaseAddress = Host.ManagementEndpoint,
    };

    /// <summary>A client for the control surface (/_emulator/…): it sends the token a connection file would hold.</summary>
    public HttpClient CreateControlClient()
    {
        var http = CreateHttpClient();
        http.DefaultRequestHeaders.Add(EmulatorHost.ControlTokenHeader, Host.ControlToken);
        return http;
    }
}
