using System.Text.Json.Nodes;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Realism;

/// <summary>
/// Resource Graph's own copy of the resources, which follows Resource Manager late: a create, a tag change or a
/// delete shows in queries only after the profile's index lag (Resource Manager reads are always current). Changes
/// are noticed after every write and before every query. Under the fast profile it is not used: queries read the
/// resources directly. Kept in memory: a restarted emulator indexes its resources afresh (each after the lag).
/// </summary>
public sealed class GraphIndex
{
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);

    private sealed class Entry
    {
        public required string Signature { get; set; }
        /// <summary>The row queries show now; null while the resource is not yet indexed.</summary>
        public JsonObject? Visible { get; set; }
        /// <summary>The row queries will show from <see cref="PendingAt"/> on; null with <see cref="Removing"/> for a delete.</summary>
        public JsonObject? Pending { get; set; }
        public bool Removing { get; set; }
        public DateTimeOffset? PendingAt { get; set; }
    }

    /// <summary>Notices what changed in Resource Manager since the last look and schedules it for the index.</summary>
    public void Observe(LocalCloud cloud, Func<ArmResource, JsonObject> row)
    {
        var now = cloud.Now;
        Promote(now);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, resource) in cloud.State.Resources)
        {
            seen.Add(key);
            var signature = Signature(resource);
            if (entries.TryGetValue(key, out var entry) && entry.Signature == signature && !entry.Removing) continue;
            entry ??= entries[key] = new Entry { Signature = signature };
            entry.Signature = signature;
            entry.Pending = row(resource);
            entry.Removing = false;
            entry.PendingAt = now + cloud.Realism.GraphLagFor(resource.Id);
        }
        foreach (var (key, entry) in entries)
        {
            if (seen.Contains(key) || entry.Removing) continue;
            if (entry.Visible is null)
            {
                // Created and deleted before the index ever showed it: it never will.
                entry.Pending = null;
                entry.PendingAt = null;
                entry.Removing = true;
                continue;
            }
            entry.Pending = null;
            entry.Removing = true;
            entry.PendingAt = now + cloud.Realism.GraphLagFor(key);
        }
        Promote(now);
    }

    /// <summary>The rows Resource Graph shows now, by lower-cased id.</summary>
    public IEnumerable<JsonObject> Rows() => entries.Values.Where(e => e.Visible is not null).Select(e => e.Visible!.DeepClone().AsObject());

    public void Clear() => entries.Clear();

    private void Promote(DateTimeOffset now)
    {
        foreach (var key in entries.Keys.ToList())
        {
            var entry = entries[key];
            if (entry.PendingAt is not { } at || at > now)
            {
                if (entry.Removing && entry.Visible is null && entry.PendingAt is null) entries.Remove(key);
                continue;
            }
            if (entry.Removing)
            {
                entries.Remove(key);
                continue;
            }
            entry.Visible = entry.Pending;
            entry.Pending = null;
            entry.PendingAt = null;
        }
    }

    // The etag changes on every write through Resource Manager; the tags and provisioning state are compared too,
    // as some paths (an operation completing) change them without a new etag.
    private static string Signature(ArmResource resource) =>
        resource.Etag + "|" + resource.ProvisioningState + "|" + string.Join(";", (resource.Tags ?? new Dictionary<string, string>()).OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value));
}
