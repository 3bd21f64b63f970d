using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;

namespace Foundry.Engine.Tests.Replay;

/// <summary>
/// Real Azure traffic recorded by the Azure SDK test proxy (tests/Recordings, verbatim copies: see its PROVENANCE.md), served back in order: each request
/// is answered by the first unused recorded entry with the same method and path (query ignored, since the api-version
/// was sanitized; a doubled leading slash, which the Java SDK sends, is read as one). A request Azure never answered
/// fails the test, so the engine is proven on what Azure really sends. Test-proxy JSON and azure-cli (vcrpy) YAML load.
/// </summary>
public sealed class RecordedAzure : HttpMessageHandler
{
    private readonly List<Entry> entries;
    private readonly object sync = new();
    private readonly List<(string Recorded, string Sent)> renames = new();

    private RecordedAzure(List<Entry> entries) => this.entries = entries;

    public List<(string Method, string Path, int Status)> Served { get; } = new();

    /// <summary>Any token will do: the recordings were sanitized of theirs.</summary>
    public static TokenCredential Credential { get; } = new FixedToken();

    public static string RecordingsFolder
    {
        get
        {
            var root = typeof(RecordedAzure).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FoundryRepoRoot").Value!;
            var folder = Path.Combine(root, "tests", "Recordings");
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The recordings are expected in the repository at {folder}.");
            return folder;
        }
    }

    public static RecordedAzure Load(string fileName) =>
        fileName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ? LoadYaml(fileName) : LoadJson(fileName);

    /// <summary>
    /// Reads the path segment <paramref name="recorded"/> as <paramref name="sent"/>, in recorded and requested paths
    /// alike: a resource name the recorded client chose at random where the engine derives one, or a subscription id the
    /// recording sanitized in its URIs but not in the URLs its bodies and headers hand out.
    /// </summary>
    public RecordedAzure Renaming(string recorded, string sent)
    {
        renames.Add(("/" + recorded, "/" + sent));
        return this;
    }

    /// <summary>Adds an answer Azure documents but this recording lacks (a REST-spec example's response), served once.</summary>
    public RecordedAzure With(string method, string path, int status, string body)
    {
        entries.Add(new Entry(method, new Uri("https://management.azure.com" + path), status, new List<(string, string)> { ("Content-Type", "application/json") }, body));
        return this;
    }

    private static RecordedAzure LoadJson(string fileName)
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

    /// <summary>azure-cli recordings: vcrpy YAML, body text under response.body.string, header values as lists.</summary>
    private static RecordedAzure LoadYaml(string fileName)
    {
        var root = (Dictionary<object, object>)new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<object>(File.ReadAllText(Path.Combine(RecordingsFolder, fileName)))!;
        var entries = new List<Entry>();
        foreach (Dictionary<object, object> interaction in (List<object>)root["interactions"])
        {
            var request = (Dictionary<object, object>)interaction["request"];
            var response = (Dictionary<object, object>)interaction["response"];
            var status = (Dictionary<object, object>)response["status"];
            var headers = ((Dictionary<object, object>)response["headers"]).SelectMany(h => ((List<object>)h.Value).Select(v => ((string)h.Key, (string)v))).ToList();
            var body = response["body"] is Dictionary<object, object> b && b.TryGetValue("string", out var text) ? text as string : null;
            entries.Add(new Entry((string)request["method"], new Uri((string)request["uri"]), int.Parse((string)status["code"], System.Globalization.CultureInfo.InvariantCulture),
                headers, string.IsNullOrEmpty(body) ? null : body));
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
        var path = Renamed(request.RequestUri!.AbsolutePath.TrimEnd('/'));
        Entry entry;
        lock (sync)
        {
            entry = entries.FirstOrDefault(e => !e.Used && e.Method == request.Method.Method && string.Equals(RecordedPath(e), path, StringComparison.OrdinalIgnoreCase))
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

    private string RecordedPath(Entry entry)
    {
        var path = entry.Uri.AbsolutePath.TrimEnd('/');
        if (path.StartsWith("//", StringComparison.Ordinal)) path = path.Substring(1);
        return Renamed(path);
    }

    private string Renamed(string path)
    {
        foreach (var (recorded, sent) in renames) path = path.Replace(recorded, sent, StringComparison.OrdinalIgnoreCase);
        return path;
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
