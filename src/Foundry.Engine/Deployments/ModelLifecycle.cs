using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Azure.ResourceManager;
using Foundry.Engine.Errors;
using Foundry.Engine.Policy;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Deployments;

/// <summary>Where a model version stands in Azure's lifecycle, as the region's models list reports it.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Version">Model version.</param>
/// <param name="LifecycleStatus">Preview, GenerallyAvailable, Deprecating, Deprecated, Legacy… (null when not listed).</param>
/// <param name="RetiresOn">deprecation.inference: when deployments of it stop serving (null when none is published).</param>
public sealed record ModelVersionLifecycle(string Model, string Version, string? LifecycleStatus, DateTimeOffset? RetiresOn);

/// <summary>How close one deployment's model version is to retirement, judged against a policy's windows.</summary>
public enum RetirementStanding
{
    /// <summary>No retirement published, or further off than the warning window.</summary>
    Clear,
    /// <summary>Inside the warning window.</summary>
    Warning,
    /// <summary>Inside the refusal window, not yet retired.</summary>
    Retiring,
    /// <summary>Past its retirement date: deployments of it return errors.</summary>
    Retired,
}

/// <summary>A deployment's retirement date and the days left, as of <see cref="AsOf"/>.</summary>
public sealed record RetirementJudgement(string Deployment, string Model, string Version, DateTimeOffset? RetiresOn, int? DaysLeft, RetirementStanding Standing, DateTimeOffset AsOf)
{
    /// <summary>"retires 2026-03-31 (45 days left)", "retired on 2026-03-31 (12 days ago)" or "no retirement date published".</summary>
    public string Describe() =>
        RetiresOn is not { } date ? $"{Model} {Version}: no retirement date published"
        : DaysLeft < 0 ? $"{Model} {Version} retired on {date:yyyy-MM-dd} ({-DaysLeft} days ago)"
        : $"{Model} {Version} retires on {date:yyyy-MM-dd} ({DaysLeft} days left)";
}

/// <summary>
/// Reads model retirement dates from the region's models list (GET …/locations/{location}/models: each model's
/// deprecation.inference and lifecycleStatus; see docs/policy.md, "Model retirement") and judges deployments against a
/// policy's windows. "Now" is the Engine's clock when one is configured (tests inject one), else the server's clock as
/// the models list's Date header carries it (Azure's, or the local emulator's model-catalogue clock), else this machine's.
/// </summary>
public sealed class ModelLifecycle
{
    private readonly ArmRestClient rest;
    private readonly TimeProvider? clock;

    internal ModelLifecycle(ArmClient arm, TimeProvider? clock)
    {
        rest = new ArmRestClient(arm);
        this.clock = clock;
    }

    /// <summary>Every model version the region lists (every page of the models list), and the time as of which to judge them.</summary>
    public async Task<(IReadOnlyList<ModelVersionLifecycle> Models, DateTimeOffset Now)> ListAsync(string subscriptionId, string location, CancellationToken cancellationToken)
    {
        var models = new List<ModelVersionLifecycle>();
        DateTimeOffset? serverDate = null;
        string? next = $"/subscriptions/{subscriptionId}/providers/Microsoft.CognitiveServices/locations/{location}/models?api-version={ApiVersions.CognitiveServices}";
        var context = new FailureContext("list the models offered in the region (for their retirement dates)", location, Location: location);
        while (next is not null)
        {
            var page = await rest.SendAsync(RequestMethod.Get, next, null, context, cancellationToken).ConfigureAwait(false);
            serverDate ??= DateOf(page);
            using var json = page.Json();
            if (json.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray())
                {
                    if (Parse(item) is { } model) models.Add(model);
                }
            }
            next = json.RootElement.TryGetProperty("nextLink", out var link) && link.ValueKind == JsonValueKind.String && link.GetString() is { Length: > 0 } url ? url : null;
        }
        return (models, Now(serverDate));
    }

    /// <summary>Each deployment's retirement standing in <paramref name="location"/>.</summary>
    public async Task<IReadOnlyList<RetirementJudgement>> JudgeAsync(string subscriptionId, string location, IEnumerable<DeploymentPolicy> deployments, RetirementPolicy policy,
        CancellationToken cancellationToken)
    {
        var (models, now) = await ListAsync(subscriptionId, location, cancellationToken).ConfigureAwait(false);
        return deployments.Select(d => Judge(d.Name, d.Model, d.Version, models, now, policy)).ToList();
    }

    /// <summary>Each deployment's retirement standing from a region's catalogue already read (the run's one read of the models list).</summary>
    public IReadOnlyList<RetirementJudgement> Judge(Environments.RegionCatalog catalog, IEnumerable<DeploymentPolicy> deployments, RetirementPolicy policy)
    {
        var now = Now(catalog.ServerDate);
        return deployments.Select(d => Judge(d.Name, d.Model, d.Version, catalog.Lifecycles, now, policy)).ToList();
    }

    /// <summary>A models-list item's lifecycle (its lifecycleStatus and deprecation.inference), or null when it names no model.</summary>
    internal static ModelVersionLifecycle? Parse(JsonElement item)
    {
        if (!item.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object) return null;
        var retires = model.TryGetProperty("deprecation", out var deprecation) && deprecation.ValueKind == JsonValueKind.Object &&
                      deprecation.TryGetProperty("inference", out var inference) && inference.ValueKind == JsonValueKind.String &&
                      DateTimeOffset.TryParse(inference.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : (DateTimeOffset?)null;
        return new ModelVersionLifecycle(Text(model, "name") ?? "", Text(model, "version") ?? "", Text(model, "lifecycleStatus"), retires);
    }

    /// <summary>The server's clock as a response's Date header carries it, or null.</summary>
    internal static DateTimeOffset? DateOf(RestResult result) =>
        result.Headers.TryGetValue("Date", out var date) && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var server) ? server : null;

    /// <summary>One deployment's standing: by its version's deprecation.inference date against the policy's windows.</summary>
    internal static RetirementJudgement Judge(string deployment, string model, string version, IReadOnlyList<ModelVersionLifecycle> models, DateTimeOffset now, RetirementPolicy policy)
    {
        var listed = models.FirstOrDefault(m => m.Model.Equals(model, StringComparison.OrdinalIgnoreCase) && m.Version == version);
        if (listed?.RetiresOn is not { } retires) return new RetirementJudgement(deployment, model, version, null, null, RetirementStanding.Clear, now);
        var left = retires - now;
        var days = (int)left.TotalDays; // whole days, toward zero: "3 days left", "3 days ago"
        var standing = left <= TimeSpan.Zero ? RetirementStanding.Retired
            : left <= TimeSpan.FromDays(policy.RefuseWithinDays) ? RetirementStanding.Retiring
            : left <= TimeSpan.FromDays(policy.WarnWithinDays) ? RetirementStanding.Warning
            : RetirementStanding.Clear;
        return new RetirementJudgement(deployment, model, version, retires, days, standing, now);
    }

    private DateTimeOffset Now(DateTimeOffset? serverDate) => clock?.GetUtcNow() ?? serverDate ?? DateTimeOffset.UtcNow;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
