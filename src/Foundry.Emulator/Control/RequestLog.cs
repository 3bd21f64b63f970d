namespace Foundry.Emulator.Control;

/// <summary>One request as the emulator saw it: enough to count writes and to check what a client sent.</summary>
public sealed record RequestRecord(
    DateTimeOffset Time,
    ServiceKind Service,
    string Method,
    string Host,
    string PathAndQuery,
    int Status,
    bool Mutating,
    string Principal,
    string? RequestBody,
    string? ResponseBody,
    IReadOnlyDictionary<string, string>? ResponseHeaders = null,
    IReadOnlyDictionary<string, string>? RequestHeaders = null)
{
    /// <summary>Whether a body was longer than <see cref="RequestLog.MaxBodyChars"/> and only its start was kept.</summary>
    public bool BodyTruncated { get; init; }
}

/// <summary>
/// The requests served, oldest first, bounded so a long-running emulator's memory stays flat: each body is cut to
/// <see cref="MaxBodyChars"/>, and the oldest records are dropped beyond <see cref="MaxRecords"/> records or
/// <see cref="MaxRetainedBodyChars"/> characters of bodies. <see cref="Served"/> and <see cref="MutatingCount"/> count
/// every request since the last <see cref="Clear"/>, dropped or not. Control requests are not recorded.
/// </summary>
public sealed class RequestLog(int maxRecords = RequestLog.DefaultMaxRecords, long maxRetainedBodyChars = RequestLog.DefaultMaxRetainedBodyChars)
{
    /// <summary>Far above what a test class or a benchmark sends (a 1,000-resource cleanup is a few thousand).</summary>
    public const int DefaultMaxRecords = 20_000;
    /// <summary>Bodies kept in all, about 32 MB of UTF-16: a few hundred of the largest bodies, tens of thousands of usual ones.</summary>
    public const long DefaultMaxRetainedBodyChars = 16L * 1024 * 1024;
    /// <summary>Longer bodies keep their start: Azure's own resource bodies are far smaller.</summary>
    public const int MaxBodyChars = 64 * 1024;

    private readonly Queue<RequestRecord> records = new();
    private readonly object sync = new();
    private long retainedBodyChars;
    private int served;
    private int mutating;

    public int MaxRecords { get; } = maxRecords;
    public long MaxRetainedBodyChars { get; } = maxRetainedBodyChars;

    public bool Enabled { get; set; } = true;

    internal void Add(RequestRecord record)
    {
        if (!Enabled) return;
        var requestBody = Truncate(record.RequestBody);
        var responseBody = Truncate(record.ResponseBody);
        var kept = record with
        {
            RequestBody = requestBody,
            ResponseBody = responseBody,
            BodyTruncated = !ReferenceEquals(requestBody, record.RequestBody) || !ReferenceEquals(responseBody, record.ResponseBody),
        };
        lock (sync)
        {
            served++;
            if (kept.Mutating) mutating++;
            records.Enqueue(kept);
            retainedBodyChars += BodyChars(kept);
            while (records.Count > MaxRecords || (retainedBodyChars > MaxRetainedBodyChars && records.Count > 1))
            {
                retainedBodyChars -= BodyChars(records.Dequeue());
            }
        }
    }

    /// <summary>The records still held, oldest first.</summary>
    public IReadOnlyList<RequestRecord> All
    {
        get { lock (sync) return records.ToArray(); }
    }

    /// <summary>Requests served since the last clear, including those no longer held.</summary>
    public int Served
    {
        get { lock (sync) return served; }
    }

    /// <summary>Writes served since the last clear, including those no longer held.</summary>
    public int MutatingCount
    {
        get { lock (sync) return mutating; }
    }

    /// <summary>Characters of bodies held now (at most <see cref="MaxRetainedBodyChars"/> plus one record's).</summary>
    public long RetainedBodyChars
    {
        get { lock (sync) return retainedBodyChars; }
    }

    public void Clear()
    {
        lock (sync)
        {
            records.Clear();
            retainedBodyChars = 0;
            served = 0;
            mutating = 0;
        }
    }

    private static string? Truncate(string? body) => body is { Length: > MaxBodyChars } ? body[..MaxBodyChars] : body;

    private static long BodyChars(RequestRecord record) => (record.RequestBody?.Length ?? 0) + (record.ResponseBody?.Length ?? 0);
}
