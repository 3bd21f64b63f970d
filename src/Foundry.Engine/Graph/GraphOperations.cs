using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Graph;

/// <summary>
/// Azure Resource Graph queries, one page per call so the cmdlet can stream each page to the pipeline as it arrives.
/// Subscriptions go in groups of at most <see cref="SubscriptionsPerRequest"/>; the continuation token carries the
/// group and Resource Graph's own $skipToken. 429 Retry-After is honoured by the pipeline's retry policy; when the
/// user quota header says none remain, the next page waits for the quota window to reset.
/// </summary>
public sealed class GraphOperations
{
    /// <summary>Subscriptions per request (Resource Graph guidance: group them rather than fan out).</summary>
    public const int SubscriptionsPerRequest = 300;
    private readonly ArmRestClient rest;
    private readonly object sync = new();
    private DateTimeOffset quotaResetsAt = DateTimeOffset.MinValue;

    internal GraphOperations(ArmClient arm) => rest = new ArmRestClient(arm);

    /// <summary>One page of <paramref name="query"/>; pass the returned continuation token back for the next.</summary>
    public Task<Page<GraphResource>> QueryPageAsync(GraphQuery query, string? continuationToken, CancellationToken cancellationToken) =>
        CloudReachability.Guard("query Resource Graph", cancellationToken, () => QueryPageCoreAsync(query, continuationToken, cancellationToken));

    private async Task<Page<GraphResource>> QueryPageCoreAsync(GraphQuery query, string? continuationToken, CancellationToken cancellationToken)
    {
        if (query is null) throw new ArgumentNullException(nameof(query));
        if (query.Subscriptions.Count == 0) throw new ArgumentException("At least one subscription is required.", nameof(query));
        if (query.PageSize is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(query), "PageSize must be 1–1000.");
        var (group, skipToken) = Decode(continuationToken);
        var subscriptions = query.Subscriptions.Skip(group * SubscriptionsPerRequest).Take(SubscriptionsPerRequest).ToList();

        await WaitForQuotaAsync(cancellationToken).ConfigureAwait(false);
        var options = new Dictionary<string, object> { ["$top"] = query.PageSize, ["resultFormat"] = "objectArray" };
        if (skipToken is not null) options["$skipToken"] = skipToken;
        var body = new Dictionary<string, object> { ["subscriptions"] = subscriptions, ["query"] = query.Kql, ["options"] = options };
        var result = await rest.SendAsync(RequestMethod.Post, $"/providers/Microsoft.ResourceGraph/resources?api-version={ApiVersions.ResourceGraph}", body,
            new FailureContext("query Azure Resource Graph", "Microsoft.ResourceGraph/resources", "Reader"), cancellationToken).ConfigureAwait(false);
        NoteQuota(result.Headers);

        using var json = result.Json();
        var root = json.RootElement;
        var items = new List<GraphResource>();
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var row in data.EnumerateArray()) items.Add(ToResource(row));
        }
        var nextSkip = root.TryGetProperty("$skipToken", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
        string? next = nextSkip is not null ? Encode(group, nextSkip)
            : (group + 1) * SubscriptionsPerRequest < query.Subscriptions.Count ? Encode(group + 1, null)
            : null;
        long? total = root.TryGetProperty("totalRecords", out var t) && t.TryGetInt64(out var n) ? n : null;
        return new Page<GraphResource>(items, next, total);
    }

    private async Task WaitForQuotaAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (sync) wait = quotaResetsAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
    }

    private void NoteQuota(IReadOnlyDictionary<string, string> headers)
    {
        if (headers.TryGetValue("x-ms-user-quota-remaining", out var remaining) && remaining.Trim() == "0" &&
            headers.TryGetValue("x-ms-user-quota-resets-after", out var resetsAfter) &&
            TimeSpan.TryParse(resetsAfter, CultureInfo.InvariantCulture, out var window))
        {
            lock (sync) quotaResetsAt = DateTimeOffset.UtcNow + window;
        }
    }

    private static GraphResource ToResource(JsonElement row)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (row.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            foreach (var tag in t.EnumerateObject()) tags[tag.Name] = tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString()! : tag.Value.GetRawText();
        }
        var id = Text(row, "id") ?? "";
        return new GraphResource(id, Text(row, "name") ?? id.Split('/').Last(), Text(row, "type") ?? "", Text(row, "resourceGroup"), Text(row, "location"),
            Text(row, "subscriptionId") ?? "", tags);
    }

    private static string? Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Encode(int group, string? skipToken) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{group.ToString(CultureInfo.InvariantCulture)}|{skipToken}"));

    private static (int Group, string? SkipToken) Decode(string? token)
    {
        if (string.IsNullOrEmpty(token)) return (0, null);
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|');
            return (int.Parse(text.Substring(0, bar), CultureInfo.InvariantCulture), bar + 1 < text.Length ? text.Substring(bar + 1) : null);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException("The continuation token is not one this query returned.", nameof(token), e);
        }
    }
}
