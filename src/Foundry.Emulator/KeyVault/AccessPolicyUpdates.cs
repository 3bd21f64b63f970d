using System.Text.Json.Nodes;
using Foundry.Emulator.Routing;
using Foundry.Emulator.State;

namespace Foundry.Emulator.KeyVault;

/// <summary>
/// PUT vaults/{name}/accessPolicies/{add|replace|remove} (Vaults_UpdateAccessPolicy): changes a vault's access
/// policies without a full vault PUT. A policy is keyed by tenantId + objectId (+ applicationId). add merges the sent
/// permissions into the principal's policy (or adds it); replace sets them; remove takes the sent permissions away
/// and drops a policy left with none. The data plane acts on the change only after the realistic profile's delay
/// (<see cref="Realism.AccessPolicyPropagation"/>). [unverified] replace/remove semantics: the REST reference does not spell them out.
/// </summary>
internal static class AccessPolicyUpdates
{
    private static readonly string[] Kinds = { "add", "replace", "remove" };
    private static readonly string[] PermissionKinds = { "keys", "secrets", "certificates", "storage" };

    public static EmulatorResponse Update(RequestContext c, ArmResource vault, string kind)
    {
        kind = kind.ToLowerInvariant();
        if (!Kinds.Contains(kind)) return AzureError.Arm(400, "BadRequest", $"The operation kind '{kind}' is not valid. Use add, replace or remove.");
        if (c.RequireObject()["properties"]?["accessPolicies"] is not JsonArray sent || sent.Count == 0)
        {
            return AzureError.Arm(400, "BadRequest", "properties.accessPolicies must list at least one access policy.");
        }
        var before = vault.Properties["accessPolicies"]?.DeepClone() as JsonArray;
        var policies = vault.Properties["accessPolicies"] as JsonArray ?? new JsonArray();
        foreach (var policy in sent.OfType<JsonObject>())
        {
            if (policy["objectId"] is null || policy["tenantId"] is null)
            {
                return AzureError.Arm(400, "BadRequest", "Each access policy needs a tenantId and an objectId.");
            }
            var existing = policies.OfType<JsonObject>().FirstOrDefault(p => SamePrincipal(p, policy));
            if (existing is null)
            {
                if (kind != "remove") policies.Add(policy.DeepClone());
                continue;
            }
            var permissions = existing["permissions"] as JsonObject ?? new JsonObject();
            foreach (var permissionKind in PermissionKinds)
            {
                var have = Names(permissions[permissionKind]);
                var given = Names(policy["permissions"]?[permissionKind]);
                var result = kind switch
                {
                    "add" => have.Union(given, StringComparer.OrdinalIgnoreCase),
                    "replace" => given,
                    _ => have.Except(given, StringComparer.OrdinalIgnoreCase),
                };
                var list = new JsonArray(result.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
                if (list.Count > 0 || permissions.ContainsKey(permissionKind)) permissions[permissionKind] = list;
            }
            existing["permissions"] = permissions;
            if (kind == "remove" && PermissionKinds.All(k => Names(permissions[k]).Count == 0)) policies.Remove(existing);
        }
        vault.Properties["accessPolicies"] = policies;
        vault.Touch(c.Now);
        Realism.AccessPolicyPropagation.Changed(c.Cloud, vault, before);
        return EmulatorResponse.Json(200, new JsonObject
        {
            ["id"] = $"{vault.Id}/accessPolicies/{kind}",
            ["name"] = kind,
            ["type"] = "Microsoft.KeyVault/vaults/accessPolicies",
            ["location"] = vault.Location,
            ["properties"] = new JsonObject { ["accessPolicies"] = policies.DeepClone() },
        });
    }

    private static bool SamePrincipal(JsonObject a, JsonObject b) =>
        Same(a["tenantId"], b["tenantId"]) && Same(a["objectId"], b["objectId"]) && Same(a["applicationId"], b["applicationId"]);

    private static bool Same(JsonNode? a, JsonNode? b) =>
        string.Equals(a?.GetValue<string>(), b?.GetValue<string>(), StringComparison.OrdinalIgnoreCase);

    private static List<string> Names(JsonNode? node) =>
        (node as JsonArray)?.Select(n => n?.GetValue<string>()).OfType<string>().ToList() ?? new List<string>();
}
