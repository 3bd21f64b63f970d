using System.Text.Json;
using System.Text.Json.Serialization;

namespace Foundry.Emulator.State;

/// <summary>
/// Everything the local cloud knows, as plain data that serializes to one JSON file. Each Azure area keeps
/// its own part in a partial file beside this one (EmulatorState.KeyVault.cs, …). Guarded by <see cref="LocalCloud.Sync"/>.
/// </summary>
public sealed partial class EmulatorState
{
    public string TenantId { get; set; } = EmulatorOptions.DefaultTenantId;

    /// <summary>The port the cloud last listened on: host names in stored URLs carry it, so a restart reuses it.</summary>
    public int Port { get; set; }
    public List<string> Subscriptions { get; set; } = new();

    /// <summary>Resources keyed by lower-cased id (ARM ids are case-insensitive).</summary>
    public Dictionary<string, ArmResource> Resources { get; set; } = new();

    public Dictionary<string, LongRunningOperation> Operations { get; set; } = new();

    public static string Key(string resourceId) => resourceId.TrimEnd('/').ToLowerInvariant();

    public ArmResource? Find(string resourceId) => Resources.GetValueOrDefault(Key(resourceId));

    public void Put(ArmResource resource) => Resources[Key(resource.Id)] = resource;

    public bool HasSubscription(string subscriptionId) =>
        Subscriptions.Any(s => string.Equals(s, subscriptionId, StringComparison.OrdinalIgnoreCase));

    /// <summary>Direct and nested children, and extension resources (role assignments…) under the id.</summary>
    public IEnumerable<ArmResource> Descendants(string resourceId)
    {
        var prefix = Key(resourceId) + "/";
        return Resources.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => kv.Value).ToList();
    }

    public IEnumerable<ArmResource> InResourceGroup(string subscriptionId, string resourceGroup) =>
        Resources.Values.Where(r =>
            string.Equals(r.SubscriptionId, subscriptionId, StringComparison.OrdinalIgnoreCase) &&
            string.Equals(r.ResourceGroup, resourceGroup, StringComparison.OrdinalIgnoreCase)).ToList();

    internal static readonly JsonSerializerOptions FileFormat = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Serialize() => JsonSerializer.Serialize(this, FileFormat);

    public static EmulatorState Deserialize(string json) =>
        JsonSerializer.Deserialize<EmulatorState>(json, FileFormat) ?? new EmulatorState();
}
