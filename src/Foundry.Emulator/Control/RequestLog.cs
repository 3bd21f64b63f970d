using System.Collections.Concurrent;

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
    IReadOnlyDictionary<string, string>? RequestHeaders = null);

/// <summary>Every request served, in order. Control requests are not recorded.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<RequestRecord> records = new();

    public bool Enabled { get; set; } = true;

    internal void Add(RequestRecord record)
    {
        if (Enabled) records.Enqueue(record);
    }

    public IReadOnlyList<RequestRecord> All => records.ToArray();

    public int MutatingCount => records.Count(r => r.Mutating);

    public void Clear() => records.Clear();
}
