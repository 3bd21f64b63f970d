using System.Text.Json;
using Foundry.Emulator;
using Foundry.Emulator.Hosting;

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
        foreach (var (subscription, group, name, location) in AppsOfPolicy(policyPath, emulator.Subscriptions)) emulator.EnsureFunctionApp(subscription, group, name, location);
    }

    /// <summary>The same in the folder's local cloud, whether this process runs it or joined another process's.</summary>
    public static async Task EnsureAppsOfPolicyAsync(LocalCloudFolder cloud, string policyPath)
    {
        foreach (var (subscription, group, name, location) in AppsOfPolicy(policyPath, cloud.Subscriptions)) await cloud.EnsureFunctionAppAsync(subscription, group, name, location);
    }

    private static List<(string Subscription, string Group, string Name, string Location)> AppsOfPolicy(string policyPath, IReadOnlyList<string> subscriptions)
    {
        var apps = new List<(string, string, string, string)>();
        if (!File.Exists(policyPath)) return apps;
        JsonDocument policy;
        try
        {
            policy = JsonDocument.Parse(File.ReadAllText(policyPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException)
        {
            return apps; // The cmdlets report a malformed policy with its own error.
        }
        using (policy)
        {
            var root = policy.RootElement;
            var defaults = root.TryGetProperty("defaults", out var d) ? d : default;
            if (!root.TryGetProperty("environments", out var environments) || environments.ValueKind != JsonValueKind.Object) return apps;
            foreach (var environment in environments.EnumerateObject())
            {
                string? Setting(string name) => environment.Value.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()
                    : defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty(name, out var dv) && dv.ValueKind == JsonValueKind.String ? dv.GetString() : null;
                var subscription = Setting("subscriptionId");
                var location = Setting("location") ?? "eastus";
                if (subscription is null || !subscriptions.Contains(subscription, StringComparer.OrdinalIgnoreCase)) continue;
                var listed = environment.Value.TryGetProperty("apps", out var a) ? a : defaults.ValueKind == JsonValueKind.Object && defaults.TryGetProperty("apps", out var da) ? da : default;
                if (listed.ValueKind != JsonValueKind.Array) continue;
                foreach (var app in listed.EnumerateArray())
                {
                    if (app.TryGetProperty("name", out var name) && app.TryGetProperty("resourceGroup", out var group) && name.GetString() is { } siteName && group.GetString() is { } groupName)
                    {
                        apps.Add((subscription, groupName, siteName, location));
                    }
                }
            }
        }
        return apps;
    }
}
