using System.Net;
using System.Net.Http;
using Azure.Core.Pipeline;

namespace Foundry.Engine.Connection;

/// <summary>
/// The HTTP transport for the local cloud: the emulator's self-signed certificate is trusted by pinning its thumbprint
/// (validation is never switched off), and only for loopback endpoints. On .NET, every *.localhost name connects to
/// loopback, as RFC 6761 reserves them, since not every resolver does so.
/// </summary>
internal static class EngineTransport
{
    public static HttpPipelineTransport? For(EngineOptions options)
    {
        if (options.TrustedCertificateThumbprint is null) return null;
        var endpoint = options.ResolvedArmEndpoint;
        if (!(endpoint.IsLoopback || endpoint.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) || endpoint.Host == "localhost"))
        {
            throw new ArgumentException("A pinned certificate is accepted only for a loopback (local emulator) endpoint.", nameof(options));
        }
        var thumbprint = options.TrustedCertificateThumbprint;
#if NET
        var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
            },
            ConnectCallback = async (context, cancellationToken) =>
            {
                var host = context.DnsEndPoint.Host;
                if (!(host == "localhost" || host == "127.0.0.1" || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new HttpRequestException($"The local cloud serves only localhost names, not '{host}'.");
                }
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
#else
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
        };
#endif
        return new HttpClientTransport(handler);
    }
}
