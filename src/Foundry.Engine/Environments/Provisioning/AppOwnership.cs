using Foundry.Engine.Apps;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Environments;

/// <summary>
/// Which environment wrote each setting Foundry puts on an app, recorded on the site as one tag per setting:
/// <c>foundry-env-AZURE_OPENAI_API_KEY = dev</c>. Ownership is per setting, not per app, because a shared app
/// (apps[].shared) is wired by several environments and a setting has exactly one writer at a time: down removes only
/// the settings whose tag names its environment, and up refuses an app another environment wired unless it is shared.
/// </summary>
internal sealed class AppOwnership
{
    /// <summary>Prefix of the per-setting ownership tags.</summary>
    public const string TagPrefix = "foundry-env-";
    public const string AppOwnedByOtherEnvironment = nameof(AppOwnedByOtherEnvironment);

    private readonly EngineServices services;
    private readonly EnvironmentRun run;

    public AppOwnership(EngineServices services, EnvironmentRun run)
    {
        this.services = services;
        this.run = run;
    }

    public static string TagOf(string setting) => TagPrefix + setting;

    /// <summary>The environment that last wrote <paramref name="setting"/> on the app, or null when no tag says (never written, or wired before ownership tags).</summary>
    public static string? OwnerOf(IReadOnlyDictionary<string, string> siteTags, string setting) =>
        siteTags.TryGetValue(TagOf(setting), out var owner) && owner.Length > 0 ? owner : null;

    /// <summary>The settings of the app that name another environment as their writer, with that environment.</summary>
    public static IReadOnlyList<(string Setting, string Environment)> OtherOwners(IReadOnlyDictionary<string, string> siteTags, string environment) =>
        siteTags.Where(t => t.Key.StartsWith(TagPrefix, StringComparison.OrdinalIgnoreCase) && t.Value.Length > 0 && !t.Value.Equals(environment, StringComparison.OrdinalIgnoreCase))
            .Select(t => (t.Key.Substring(TagPrefix.Length), t.Value)).OrderBy(o => o.Item1, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Refuses, before up writes anything, to wire an app another environment has wired, unless the policy marks it
    /// shared (then a setting another environment wrote is taken over, with a warning, and that environment's down
    /// leaves it alone). Apps missing here are reported later by the wiring step itself.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        foreach (var app in run.Settings.Apps)
        {
            var siteId = AppOperations.IdOf(run.Subscription, app.ResourceGroup, app.Name);
            var site = await services.Apps.GetAsync(siteId, cancellationToken).ConfigureAwait(false);
            if (site is null) continue;
            var others = OtherOwners(site.Tags, run.Environment);
            if (others.Count == 0 && !app.Shared && OwnerOf(site.Tags, app.KeySetting) is null &&
                await WiredBeforeTagsAsync(app, siteId, cancellationToken).ConfigureAwait(false) is { } vault)
            {
                // Wired by an older Foundry, which wrote no tags: the key reference itself names another environment's vault.
                throw Refusal(app, siteId, $"another environment of app '{run.Policy.App}' (its {app.KeySetting} references the secret in vault {vault}; it was wired before Foundry recorded ownership)",
                    "that environment");
            }
            if (others.Count == 0) continue;
            if (!app.Shared)
            {
                var environments = string.Join("', '", others.Select(o => o.Environment).Distinct(StringComparer.OrdinalIgnoreCase));
                throw Refusal(app, siteId, $"environment '{environments}' ({string.Join(", ", others.Select(o => $"{o.Setting} by '{o.Environment}'"))})", $"'{environments}'");
            }
            foreach (var (setting, owner) in others.Where(o => Settings(app).Contains(o.Setting, StringComparer.OrdinalIgnoreCase)))
            {
                run.Reporter.Warning($"Shared app '{app.Name}': setting {setting} was written by environment '{owner}'; '{run.Environment}' takes it over, and '{owner}' no longer owns it.");
            }
        }
    }

    private FoundryEngineException Refusal(AppPolicy app, string siteId, string wiredTo, string other) =>
        new(FailureKind.Conflict, AppOwnedByOtherEnvironment,
            $"The app '{app.Name}' is wired to {wiredTo}; wiring it to '{run.Environment}' would re-point that environment's app. Nothing was changed.",
            $"Give environment '{run.Environment}' its own app in the policy; or, if the app is meant to serve several environments, set \"shared\": true on it in the policy " +
            $"(and preferably distinct keySetting/endpointSetting/deploymentSetting per environment); or, if {other} no longer uses it, run Remove-FoundryEnvironment for it, which releases the app.",
            target: siteId);

    /// <summary>
    /// The vault another environment of this app made, when the app's untagged key setting references the secret there
    /// (Foundry's vault names start kv-{app≤6}-); null when the setting is absent, ours, or someone else's reference.
    /// </summary>
    private async Task<string?> WiredBeforeTagsAsync(AppPolicy app, string siteId, CancellationToken cancellationToken)
    {
        var settings = await services.Apps.ListSettingsAsync(siteId, cancellationToken).ConfigureAwait(false);
        if (!settings.TryGetValue(app.KeySetting, out var value)) return null;
        var match = FoundryReference.Match(value);
        if (!match.Success || !match.Groups["secret"].Value.Equals(run.Settings.SecretName, StringComparison.OrdinalIgnoreCase)) return null;
        var vault = match.Groups["vault"].Value;
        var prefix = $"kv-{(run.Policy.App.Length <= 6 ? run.Policy.App : run.Policy.App.Substring(0, 6))}-";
        return vault.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) &&
               !vault.Equals(run.Names.KeyVault, StringComparison.OrdinalIgnoreCase) && !vault.Equals(run.Vault.Name, StringComparison.OrdinalIgnoreCase)
            ? vault : null;
    }

    private static readonly System.Text.RegularExpressions.Regex FoundryReference = new(
        @"^@Microsoft\.KeyVault\(SecretUri=https://(?<vault>[^./]+)\.[^/]+/secrets/(?<secret>[^/)]+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Records (Tags API merge) that this environment writes the app's settings; no write when the tags already say so.</summary>
    public async Task ClaimAsync(AppPolicy app, AppInfo site, CancellationToken cancellationToken)
    {
        var missing = Settings(app).Where(s => !run.Environment.Equals(OwnerOf(site.Tags, s), StringComparison.OrdinalIgnoreCase)).ToList();
        if (missing.Count == 0) return;
        var tags = missing.ToDictionary(TagOf, _ => run.Environment, StringComparer.OrdinalIgnoreCase);
        await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Resources/tags", site.ResourceId, $"record that '{run.Environment}' writes {string.Join(", ", missing)}"),
            () => services.Apps.PatchTagsAsync(site.ResourceId, "Merge", tags, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The settings up writes on an app.</summary>
    public static IReadOnlyList<string> Settings(AppPolicy app) => new[] { app.KeySetting, app.EndpointSetting, app.DeploymentSetting };
}
