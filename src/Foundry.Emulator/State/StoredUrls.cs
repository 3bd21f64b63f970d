using System.Text.Json.Nodes;

namespace Foundry.Emulator.State;

/// <summary>
/// Stored state holds URLs with the emulator's port (vault URIs, endpoints, Key Vault references in app settings).
/// When a restarted emulator cannot get its old port back, they are rewritten so clients and apps still reach it.
/// </summary>
internal static class StoredUrls
{
    public static void Rewrite(EmulatorState state, int oldPort, int newPort)
    {
        string Fix(string text) => text.Contains(".localhost:" + oldPort, StringComparison.Ordinal) || text.Contains("localhost:" + oldPort, StringComparison.Ordinal)
            ? text.Replace("localhost:" + oldPort, "localhost:" + newPort, StringComparison.Ordinal)
            : text;
        foreach (var resource in state.Resources.Values.Concat(state.DeletedAccounts.Values.Select(d => d.Account)).Concat(state.DeletedVaults.Values.Select(d => d.Vault)))
        {
            Walk(resource.Properties, Fix);
        }
        foreach (var settings in state.AppSettings.Values)
        {
            foreach (var key in settings.Keys.ToList()) settings[key] = Fix(settings[key]);
        }
        foreach (var reference in state.ResolvedReferences.Values.SelectMany(r => r.Values))
        {
            if (reference.Reference is not null) reference.Reference = Fix(reference.Reference);
        }
    }

    private static void Walk(JsonNode? node, Func<string, string> fix)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (o[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String) o[key] = fix(v.GetValue<string>());
                    else Walk(o[key], fix);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String) a[i] = fix(v.GetValue<string>());
                    else Walk(a[i], fix);
                }
                break;
        }
    }
}
