using Foundry.Engine.Apps;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Environments;

/// <summary>
/// Makes the settings up writes slot settings (config/slotConfigNames), so a deployment-slot swap does not carry a
/// staging slot's key reference, endpoint or deployment into production (or leave production without them). The
/// names are added to whatever the app already marks, never replacing it; a converged app sees one read and no write.
/// </summary>
internal sealed class SlotSettings
{
    private readonly EngineServices services;
    private readonly EnvironmentRun run;

    public SlotSettings(EngineServices services, EnvironmentRun run)
    {
        this.services = services;
        this.run = run;
    }

    public async Task EnsureAsync(AppPolicy app, string siteId, CancellationToken cancellationToken)
    {
        var marked = await services.Apps.ListSlotSettingNamesAsync(siteId, cancellationToken).ConfigureAwait(false);
        var missing = AppOwnership.Settings(app).Where(s => !marked.Contains(s, StringComparer.Ordinal)).ToList();
        if (missing.Count == 0) return;
        await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites/config", $"{siteId}/config/slotConfigNames",
                $"mark {string.Join(", ", missing)} as slot settings so a slot swap keeps them (other slot settings kept)"),
            () => services.Apps.AddSlotSettingNamesAsync(siteId, missing, cancellationToken)).ConfigureAwait(false);
    }
}
