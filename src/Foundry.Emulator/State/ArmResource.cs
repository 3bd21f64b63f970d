using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Foundry.Emulator.State;

/// <summary>One Resource Manager resource as the emulator stores it; every provider's resources share this shape.</summary>
public sealed class ArmResource
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Full type with its namespace, e.g. Microsoft.CognitiveServices/accounts.</summary>
    public required string Type { get; set; }
    public required string SubscriptionId { get; set; }
    public string? ResourceGroup { get; set; }
    public string? Location { get; set; }
    public string? Kind { get; set; }
    public Dictionary<string, string>? Tags { get; set; }
    public JsonObject? Sku { get; set; }
    public JsonObject? Identity { get; set; }
    public JsonObject Properties { get; set; } = new();
    public string? ManagedBy { get; set; }
    public string Etag { get; set; } = NewEtag();
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? CreatedBy { get; set; }

    /// <summary>Resource Graph may serve rows older than Resource Manager: when set, this is what it shows instead.</summary>
    public JsonObject? StaleGraphRow { get; set; }

    [JsonIgnore]
    public string? ProvisioningState
    {
        get => Properties["provisioningState"]?.GetValue<string>();
        set => Properties["provisioningState"] = value;
    }

    public static string NewEtag() => "\"" + Guid.NewGuid().ToString() + "\"";

    public void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Etag = NewEtag();
    }

    /// <summary>The ARM body: id, name, type, location, kind, sku, identity, tags, etag, properties, systemData.</summary>
    public JsonObject ToJson(bool includeEtag = true)
    {
        var body = new JsonObject
        {
            ["id"] = Id,
            ["name"] = Name,
            ["type"] = Type,
        };
        if (Location is not null) body["location"] = Location;
        if (Kind is not null) body["kind"] = Kind;
        if (Sku is not null) body["sku"] = Sku.DeepClone();
        if (Identity is not null) body["identity"] = Identity.DeepClone();
        if (Tags is not null) body["tags"] = TagsJson(Tags);
        if (ManagedBy is not null) body["managedBy"] = ManagedBy;
        if (includeEtag) body["etag"] = Etag;
        body["properties"] = Properties.DeepClone();
        body["systemData"] = new JsonObject
        {
            ["createdBy"] = CreatedBy ?? "foundry-emulator",
            ["createdByType"] = "Application",
            ["createdAt"] = CreatedAt.UtcDateTime.ToString("o"),
            ["lastModifiedBy"] = CreatedBy ?? "foundry-emulator",
            ["lastModifiedByType"] = "Application",
            ["lastModifiedAt"] = UpdatedAt.UtcDateTime.ToString("o"),
        };
        return body;
    }

    public static JsonObject TagsJson(IReadOnlyDictionary<string, string> tags)
    {
        var node = new JsonObject();
        foreach (var (k, v) in tags) node[k] = v;
        return node;
    }
}
