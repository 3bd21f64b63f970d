using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>What an app's code sends, read from the app's settings as the emulator holds them at this moment.</summary>
internal static class AppIdentity
{
    /// <summary>
    /// The emulator's token of the app's managed identity (its principal id) when the app has no key setting, else null.
    /// AZURE_CLIENT_ID picks a user-assigned identity by client id, as DefaultAzureCredential does; without it, the system-assigned one.
    /// </summary>
    public static string? TokenFor(LocalCloud cloud, string site, string keySetting)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            var state = cloud.Host.Cloud.State;
            var id = SiteId(cloud, site);
            var settings = state.AppSettings.GetValueOrDefault(id) ?? new Dictionary<string, string>();
            if (settings.ContainsKey(keySetting)) return null;
            var resource = state.Resources.Values.Single(r => r.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
            if (settings.TryGetValue("AZURE_CLIENT_ID", out var clientId))
            {
                var attached = resource.Identity?["userAssignedIdentities"]?.AsObject() ?? throw new InvalidOperationException("AZURE_CLIENT_ID names no attached identity");
                return attached.Select(a => a.Value).Single(v => v?["clientId"]?.GetValue<string>() == clientId)!["principalId"]!.GetValue<string>();
            }
            return resource.Identity?["principalId"]?.GetValue<string>() ?? "no-identity";
        }
    }

    /// <summary>The key the app sends: what its key setting resolves to, or the setting's text when App Service did not resolve it (as Azure hands it to the app).</summary>
    public static string? KeyFor(LocalCloud cloud, string site, string keySetting)
    {
        lock (cloud.Host.Cloud.Sync)
        {
            var state = cloud.Host.Cloud.State;
            var id = SiteId(cloud, site);
            var resolved = state.ResolvedReferences.GetValueOrDefault(id)?.GetValueOrDefault(keySetting)?.Value;
            return resolved ?? state.AppSettings.GetValueOrDefault(id)?.GetValueOrDefault(keySetting);
        }
    }

    private static string SiteId(LocalCloud cloud, string site) =>
        $"/subscriptions/{cloud.Subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{site}".ToLowerInvariant();
}
