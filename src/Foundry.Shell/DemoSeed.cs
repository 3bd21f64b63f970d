using System.Text.Json;
using Foundry.Emulator;

namespace Foundry.Shell;

/// <summary>
/// The offline demo needs the customer's Function Apps that the policy names (Foundry wires apps, it never creates
/// them): in the local cloud they are created once, with a managed identity. Reads the policy JSON directly so the
/// shell never loads the engine (and its Azure SDK) into its own load context.
/// </summary>
internal static class DemoSeed
{
    public static void EnsureAppsOfPolicy(EmulatorHost emulator, string policyPath)
    {
        if (!File.Exists(policyPath)) return;
        JsonDocument policy;
        try
        {
            policy = JsonDocument.Parse(File.ReadAllText(policyPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return; // The cmdlets report a malformed policy with its own error.
        }
        using (policy)
        {
            var root = policy.RootElement;
            var defaults = root.TryGetProperty("defaults", out var d) ? d : default;
            if (!root.TryGetProperty("environments", out var environments) || environments.ValueKind != JsonValueKind.Object) return;
            foreach (var environment in environments.EnumerateObject())
            {
                string? Setting(string name) => environment.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()
                    : defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty(name, out var dv) && dv.ValueKind == JsonValueKind.String ? dv.GetString() : null;
                var subscription = Setting("subscriptionId");
                var location = Setting("location") ?? "eastus";
                if (subscription is null || !emulator.Subscriptions.Contains(subscription, StringComparer.OrdinalIgnoreCase)) continue;
                var apps = environment.Value.TryGetProperty("apps", out var a) ? a : defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty("apps", out var da) ? da : default;
                if (apps.ValueKind != JsonValueKind.Array) continue;
                foreach (var app in apps.EnumerateArray())
                {
                    if (app.TryGetProperty("name", out var name) && app.TryGetProperty("resourceGroup", out var group) && name.GetString() is { } siteName && group.GetString() is { } groupName)
                    {
                        emulator.EnsureFunctionApp(subscription, groupName, siteName, location);
                    }
                }
            }
        }
    }
}
