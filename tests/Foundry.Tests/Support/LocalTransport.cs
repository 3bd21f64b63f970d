using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Foundry.Tests.Support;

/// <summary>
/// How a client reaches the emulator: the certificate is pinned by thumbprint (validation is never turned off),
/// and every *.localhost name connects to loopback as RFC 6761 says it should (this resolver does not do it).
/// </summary>
public static class LocalTransport
{
    public static SocketsHttpHandler CreateHandler(string thumbprint, int port) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
        },
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            if (!(host == "localhost" || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) || host == "127.0.0.1"))
            {
                throw new HttpRequestException($"Refusing to connect to '{host}': the local cloud serves only *.localhost.");
            }
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    public static HttpPipelineTransport CreateTransport(string thumbprint, int port) =>
        new HttpClientTransport(CreateHandler(thumbprint, port));
}

/// <summary>A credential whose token names the principal; the emulator takes the plain token as the caller's id.</summary>
public sealed class StaticTokenCredential(string principal) : TokenCredential
{
    public List<TokenRequestContext> Requests { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (Requests) Requests.Add(requestContext);
        return new AccessToken(principal, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(GetToken(requestContext, cancellationToken));
}
