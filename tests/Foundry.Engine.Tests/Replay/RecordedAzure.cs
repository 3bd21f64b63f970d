using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;

namespace Foundry.Engine.Tests.Replay;

/// <summary>
/// Real Azure traffic recorded by the Azure SDK test proxy (../shared/recordings), served back in order: each request
/// is answered by the first unused recorded entry with the same method and path (query ignored, since the api-version
/// was sanitized). A request Azure never answered fails the test, so the engine is proven on what Azure really sends.
/// </summary>
public sealed class RecordedAzure : HttpMessageHandler
{
    private readonly List<Entry> entries;
    private readonly object sync = new();

    private RecordedAzure(List<Entry> entries) => this.entries = entries;

    public List<(string Method, string Path, int Status)> Served { get; } = new();

    /// <summary>Any token will do: the recordings were sanitized of theirs.</summary>
    public static TokenCredential Credential { get; } = new FixedToken();

    public static string RecordingsFolder
    {
        get
        {
            var root = typeof(RecordedAzure).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FoundryRepoRoot").Value!;
            var folder = Path.GetFullPath(Path.Combine(root, "..", "shared", "recordings"));
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The shared recordings are expected beside the repository at {folder}.");
            return folder;
        }
    }

    public static RecordedAzure Load(string fileName)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RecordingsFolder, fileName)));
        var entries = new List<Entry>();
        foreach (var entry in document.RootElement.GetProperty("Entries").EnumerateArray())
        {
            var headers = entry.GetProperty("ResponseHeaders").EnumerateObject().Select(h => (h.Name, h.Value.GetString() ?? "")).ToList();
            var body = entry.GetProperty("ResponseBody");
            entries.Add(new Entry(entry.GetProperty("RequestMethod").GetString()!, new Uri(entry.GetProperty("RequestUri").GetString()!),
                entry.GetProperty("StatusCode").GetInt32(), headers, body.ValueKind == JsonValueKind.Null ? null : body.GetRawText()));
        }
        return new RecordedAzure(entries);
    }

    public ArmClient CreateArmClient(string subscriptionId)
    {
        var options = new ArmClientOptions { Transport = new HttpClientTransport(new HttpClient(this)) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        Foundry.Engine.Rest.ApiVersions.Pin(options);
        return new ArmClient(Credential, subscriptionId, options);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath.TrimEnd('/');
        Entry entry;
        lock (sync)
        {
            entry = entries.FirstOrDefault(e => !e.Used && e.Method == request.Method.Method && string.Equals(e.Uri.AbsolutePath.TrimEnd('/'), path, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOperationException($"Azure never answered {request.Method} {request.RequestUri} in this recording.");
            entry.Used = true;
            Served.Add((entry.Method, path, entry.Status));
        }
        var response = new HttpResponseMessage((HttpStatusCode)entry.Status) { RequestMessage = request };
        response.Content = new ByteArrayContent(entry.Body is null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(entry.Body));
        foreach (var (name, value) in entry.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value)) response.Content.Headers.TryAddWithoutValidation(name, value);
        }
        return Task.FromResult(response);
    }

    private sealed class Entry(string method, Uri uri, int status, List<(string, string)> headers, string? body)
    {
        public string Method { get; } = method;
        public Uri Uri { get; } = uri;
        public int Status { get; } = status;
        public List<(string Name, string Value)> Headers { get; } = headers;
        public string? Body { get; } = body;
        public bool Used { get; set; }
    }

    private sealed class FixedToken : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new("recorded", DateTimeOffset.UtcNow.AddHours(1));
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(GetToken(requestContext, cancellationToken));
    }
}
