using System.Text.Json.Nodes;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Arm;

/// <summary>
/// Resource Manager's two write verbs, once for every resource type: a PUT is the whole new definition — every
/// optional property (and the tags) the body omits goes back to its default — while a PATCH merges into what is there
/// (RFC 7396: a null removes). Providers name their server-owned properties (endpoint, provisioningState…), which a
/// PUT cannot set or clear, and their defaults.
/// </summary>
public static class ResourceWrites
{
    /// <summary>The properties after a PUT: the body's, with the server-owned ones carried over and omitted defaults filled in.</summary>
    public static JsonObject ReplaceProperties(JsonObject current, JsonObject? requested, IEnumerable<string> serverOwned, IReadOnlyDictionary<string, JsonNode?>? defaults = null)
    {
        var replaced = requested?.DeepClone().AsObject() ?? new JsonObject();
        foreach (var name in serverOwned)
        {
            replaced.Remove(name);
            if (current[name] is { } value) replaced[name] = value.DeepClone();
        }
        foreach (var (name, value) in defaults ?? new Dictionary<string, JsonNode?>())
        {
            if (replaced[name] is null) replaced[name] = value?.DeepClone();
        }
        return replaced;
    }

    /// <summary>Tags and SKU after a PUT: what the body says, and no tags when it has none.</summary>
    public static void ReplaceEnvelope(ArmResource resource, JsonObject body)
    {
        resource.Tags = Arm.ParseTags(body["tags"]);
        if (body["sku"] is JsonObject sku) resource.Sku = sku.DeepClone().AsObject();
    }

    /// <summary>Applies a PATCH body: tags replaced when given (as Azure's PATCH does), SKU and properties merged.</summary>
    public static void MergeInto(ArmResource resource, JsonObject body, IEnumerable<string> serverOwned)
    {
        if (body.ContainsKey("tags")) resource.Tags = Arm.ParseTags(body["tags"]);
        if (body["sku"] is JsonObject sku)
        {
            resource.Sku ??= new JsonObject();
            MergePatch(resource.Sku, sku);
        }
        if (body["properties"] is JsonObject properties)
        {
            var patch = properties.DeepClone().AsObject();
            foreach (var name in serverOwned) patch.Remove(name);
            MergePatch(resource.Properties, patch);
        }
    }

    /// <summary>JSON merge patch (RFC 7396): objects merge member by member, a null removes, anything else replaces.</summary>
    public static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is null) target.Remove(name);
            else if (value is JsonObject inner && target[name] is JsonObject existing) MergePatch(existing, inner);
            else target[name] = value.DeepClone();
        }
    }
}
