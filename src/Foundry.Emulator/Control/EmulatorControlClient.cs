using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Foundry.Emulator.Control;

/// <summary>
/// Another process's way to the running emulator's control surface, from its connection file: the management
/// endpoint on loopback, its certificate pinned by thumbprint and the control token sent with every call.
/// </summary>
public sealed class EmulatorControlClient : IDisposable
{
    private readonly HttpClient http;

    public EmulatorControlClient(EmulatorConnection connection)
    {
        Connection = connection ?? throw new ArgumentNullException(nameof(connection));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.GetCertHashString(), connection.Thumbprint, StringComparison.OrdinalIgnoreCase),
            },
            // localhost may resolve to ::1 first; the emulator listens on 127.0.0.1 only.
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        http = new HttpClient(handler) { BaseAddress = new Uri(connection.Endpoint), Timeout = TimeSpan.FromSeconds(30) };
        if (connection.ControlToken is { Length: > 0 } token) http.DefaultRequestHeaders.Add(EmulatorHost.ControlTokenHeader, token);
    }

    public EmulatorConnection Connection { get; }

    /// <summary>Sends one control call (path under /_emulator/) with the token.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the emulator the file names answers and accepts its token: a file left by a killed emulator does not.</summary>
    public async Task<bool> AnswersAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await SendAsync(HttpMethod.Get, "/_emulator/stats", cancellationToken: timeout.Token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    /// <summary>Makes sure a customer's Function App exists in the running emulator (what EmulatorHost.EnsureFunctionApp does in-process).</summary>
    public async Task EnsureFunctionAppAsync(string subscriptionId, string resourceGroup, string name, string location, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["subscriptionId"] = subscriptionId, ["resourceGroup"] = resourceGroup, ["name"] = name, ["location"] = location };
        using var response = await SendAsync(HttpMethod.Post, "/_emulator/function-apps", body.ToJsonString(), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The local cloud refused to add the Function App '{name}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }
    }

    /// <summary>Seeds an Azure Policy assignment into the running emulator (what LocalCloud.AssignPolicy does in-process).</summary>
    public async Task AssignPolicyAsync(State.PolicyAssignment assignment, CancellationToken cancellationToken = default)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(assignment, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        using var response = await SendAsync(HttpMethod.Post, "/_emulator/policy-assignments", json, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The local cloud refused the policy assignment '{assignment.Name}': {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }
    }

    public void Dispose() => http.Dispose();
}
