using Foundry.Engine.Access;
using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Errors;
using Foundry.Engine.OpenAI;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Environments;

/// <summary>An app as auth "entra" wires it: the principal its code signs in as, and the user-assigned identity's client id when that is not the system one.</summary>
internal sealed record EntraApp(AppPolicy Policy, string SiteId, AppInfo Site, string PrincipalId, string? ClientId);

/// <summary>
/// Keyless wiring (policy auth "entra"): each app's managed identity holds Cognitive Services OpenAI User on the
/// account and its settings carry only the endpoint and deployment (and, for a user-assigned identity, the client id
/// DefaultAzureCredential reads from AZURE_CLIENT_ID); no key setting, no secret. A token of a principal holding the
/// same role (the operator, who is granted it too) proves the role has reached the data plane before an app relies on it.
/// See https://learn.microsoft.com/azure/ai-services/openai/how-to/managed-identity.
/// </summary>
internal sealed class EntraWiring
{
    /// <summary>The account tag recording the auth model Foundry last finished wiring (absent: keys, as before keyless environments).</summary>
    public const string AuthTag = "foundry-auth";
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(15);
    private readonly EngineServices services;
    private readonly EnvironmentRun run;

    public EntraWiring(EngineServices services, EnvironmentRun run)
    {
        this.services = services;
        this.run = run;
    }

    /// <summary>The model an existing account is wired for: its auth tag (keys when absent: every account before keyless environments).</summary>
    public static AuthModel Deployed(AccountInfo account) =>
        account.Tags.TryGetValue(AuthTag, out var value) && value.Equals("entra", StringComparison.OrdinalIgnoreCase) ? AuthModel.Entra : AuthModel.Keys;

    public static string TagValue(AuthModel model) => model == AuthModel.Entra ? "entra" : "keys";

    /// <summary>up on an entra environment whose account is keyless: roles, proof that they serve, then the settings.</summary>
    public async Task ConvergeAsync(AccountInfo? account, CancellationToken cancellationToken)
    {
        var apps = new List<EntraApp>();
        foreach (var app in run.Settings.Apps) apps.Add(await ResolveAppAsync(app, cancellationToken).ConfigureAwait(false));
        if (account is not null && !account.LocalAuthDisabled)
        {
            // Drift on an entra environment (someone turned keys back on): the apps do not use them, so off at once.
            await DisableLocalAuthAsync(account, "keys turned back on; the entra environment has none", cancellationToken).ConfigureAwait(false);
        }
        var granted = await EnsureRolesAsync(apps, account, cancellationToken).ConfigureAwait(false);
        if (granted || run.Changes.Count > 0) await WaitUntilServedAsync(account, cancellationToken).ConfigureAwait(false);
        foreach (var app in apps) await EnsureSettingsAsync(app, account, removeKeySetting: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The app, the principal its code signs in as (the identity resolution up uses for Key Vault references), and its client id if user-assigned.</summary>
    public async Task<EntraApp> ResolveAppAsync(AppPolicy policy, CancellationToken cancellationToken)
    {
        var siteId = AppOperations.IdOf(run.Subscription, policy.ResourceGroup, policy.Name);
        var app = await services.Apps.GetAsync(siteId, cancellationToken).ConfigureAwait(false)
            ?? throw new FoundryEngineException(FailureKind.NotFound, "AppNotFound", $"The app '{policy.Name}' named in the policy was not found in resource group '{policy.ResourceGroup}'.",
                "Create the Function App first (Foundry wires existing apps, it does not create them), or fix apps[].name / resourceGroup in the policy.", target: siteId);
        var principal = app.WiringPrincipalId ?? throw KeyWiring.NoReferenceIdentity(policy, app, siteId);
        var userAssigned = app.WiringUserAssignedIdentity;
        var clientId = userAssigned is null ? null : app.UserAssignedClientIds.FirstOrDefault(c => c.Key.Equals(userAssigned, StringComparison.OrdinalIgnoreCase)).Value;
        return new EntraApp(policy, siteId, app, principal, clientId);
    }

    /// <summary>
    /// Cognitive Services OpenAI User on the account for every app's principal, then for the operator (whose token
    /// probes): assigned in that order, so the operator's reaching the data plane vouches for the apps' made before it.
    /// True when anything was assigned (or, under WhatIf, planned).
    /// </summary>
    public async Task<bool> EnsureRolesAsync(IReadOnlyList<EntraApp> apps, AccountInfo? account, CancellationToken cancellationToken)
    {
        var scope = account?.ResourceId ?? run.AccountId;
        var any = false;
        foreach (var app in apps)
        {
            any |= await EnsureRoleAsync(scope, app.PrincipalId, "ServicePrincipal", $"app '{app.Policy.Name}' identity calls the deployments (Cognitive Services OpenAI User)", account is null, cancellationToken).ConfigureAwait(false);
        }
        var operatorPrincipal = await services.CurrentPrincipal(cancellationToken).ConfigureAwait(false);
        any |= await EnsureRoleAsync(scope, operatorPrincipal, null, "the operator's token proves the role reaches the data plane (Cognitive Services OpenAI User)", account is null, cancellationToken).ConfigureAwait(false);
        return any;
    }

    private async Task<bool> EnsureRoleAsync(string scope, string principal, string? principalType, string reason, bool accountMissing, CancellationToken cancellationToken)
    {
        if (!accountMissing && await services.RoleAssignments.FindAsync(scope, principal, BuiltInRoles.CognitiveServicesOpenAIUser, cancellationToken).ConfigureAwait(false) is not null) return false;
        await run.ChangeAsync(new PlannedChange("Assign", "Microsoft.Authorization/roleAssignments", scope, reason),
            () => services.RoleAssignments.EnsureAsync(scope, principal, BuiltInRoles.CognitiveServicesOpenAIUser, principalType, cancellationToken)).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Sends one small request to a deployment with the operator's Entra token until it is served: 401/403 while the
    /// role propagates to the data plane (minutes in Azure) are retried with exponential backoff up to the propagation
    /// timeout. Foundry cannot sign in as an app, so this is the observable proof for the apps' roles made before.
    /// </summary>
    public async Task WaitUntilServedAsync(AccountInfo? account, CancellationToken cancellationToken)
    {
        var deployment = run.Settings.Deployments.FirstOrDefault(d => ModelKinds.Of(d.Model) != ModelKind.Other);
        var target = account?.ResourceId ?? run.AccountId;
        if (deployment is null)
        {
            run.Reporter.Warning($"No deployment of {run.Names.Account} takes a chat or embeddings request: the Entra role was not proven with a token.");
            return;
        }
        await run.ChangeAsync(new PlannedChange("Wait", "Microsoft.Authorization/roleAssignments", target,
                $"until '{deployment.Name}' serves a token of a principal holding Cognitive Services OpenAI User (role propagation)"), async () =>
        {
            var kind = ModelKinds.Of(deployment.Model) switch { ModelKind.Embedding => "embeddings", ModelKind.Reasoning => "reasoning", _ => "chat" };
            var started = System.Diagnostics.Stopwatch.StartNew();
            var pause = services.Timings.PollingInterval;
            while (true)
            {
                var reply = await services.Chat.CompleteWithTokenAsync(account!.Endpoint!, deployment.Name, kind, cancellationToken).ConfigureAwait(false);
                if (reply.Succeeded) return;
                if (reply.Status is not (401 or 403) || started.Elapsed >= services.Timings.PropagationTimeout)
                {
                    throw new FoundryEngineException(reply.Status is 401 or 403 ? FailureKind.Forbidden : FailureKind.Unknown, EngineErrorIds.EntraProbeFailed,
                        $"Deployment '{deployment.Name}' of {account.Name} did not serve an Entra token of a principal holding Cognitive Services OpenAI User " +
                        $"({(reply.Status == 0 ? "no answer" : $"HTTP {reply.Status}")}{(reply.ErrorCode is null ? "" : $" {reply.ErrorCode}")}: {reply.Message}); the apps were not moved onto it.",
                        reply.Status is 401 or 403
                            ? "Role assignments can take up to 10 minutes to reach the data plane: run the command again (it resumes). If it persists, check that no deny assignment or network rule blocks the account."
                            : "Check the account's endpoint and the deployment's health, then run the command again (it resumes).",
                        target: account.ResourceId);
                }
                run.Reporter.Verbose($"Waiting for the Cognitive Services OpenAI User role to reach {account.Name}'s data plane (HTTP {reply.Status}).");
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestWait.Ticks));
            }
        }).ConfigureAwait(false);
    }

    /// <summary>The keyless settings (endpoint, deployment, client id of a user-assigned identity), merged into a fresh read; and, when asked, the key setting removed.</summary>
    public async Task EnsureSettingsAsync(EntraApp app, AccountInfo? account, bool removeKeySetting, CancellationToken cancellationToken)
    {
        await new AppOwnership(services, run).ClaimAsync(app.Policy, app.Site, cancellationToken).ConfigureAwait(false);
        await new SlotSettings(services, run).EnsureAsync(app.Policy, app.SiteId, cancellationToken).ConfigureAwait(false);
        var desired = DesiredSettings(app, account);
        var settings = account is null ? new Dictionary<string, string>() : await services.Apps.ListSettingsAsync(app.SiteId, cancellationToken).ConfigureAwait(false);
        var differing = desired.Where(d => !settings.TryGetValue(d.Key, out var value) || value != d.Value).Select(d => d.Key).ToList();
        var dropKey = removeKeySetting && settings.ContainsKey(app.Policy.KeySetting);
        if (differing.Count == 0 && !dropKey) return;
        var what = string.Join("; ", new[]
        {
            differing.Count > 0 ? $"set {string.Join(", ", differing)}" : null,
            dropKey ? $"remove {app.Policy.KeySetting} (the app calls with its identity)" : null,
        }.Where(p => p is not null));
        await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites/config", $"{app.SiteId}/config/appsettings", $"{what} (other settings kept)"), async () =>
        {
            // PUT replaces the whole set: merge into a fresh read so settings written meanwhile survive.
            var fresh = await services.Apps.ListSettingsAsync(app.SiteId, cancellationToken).ConfigureAwait(false);
            foreach (var setting in desired) fresh[setting.Key] = setting.Value;
            if (removeKeySetting) fresh.Remove(app.Policy.KeySetting);
            await services.Apps.ReplaceSettingsAsync(app.SiteId, fresh, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// What a keyless app reads: the endpoint, the first deployment, and for a user-assigned identity its client id
    /// under AZURE_CLIENT_ID, which DefaultAzureCredential and ManagedIdentityCredential take as the identity to use
    /// (https://learn.microsoft.com/dotnet/api/azure.identity.defaultazurecredentialoptions.managedidentityclientid).
    /// </summary>
    public IReadOnlyDictionary<string, string> DesiredSettings(EntraApp app, AccountInfo? account)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [app.Policy.EndpointSetting] = account?.Endpoint ?? "",
            [app.Policy.DeploymentSetting] = run.Settings.Deployments[0].Name,
        };
        if (app.ClientId is { } clientId) settings[app.Policy.ClientIdSetting] = clientId;
        return settings;
    }

    /// <summary>Turns keys off (PATCH, nothing else of the account changes).</summary>
    public Task DisableLocalAuthAsync(AccountInfo account, string reason, CancellationToken cancellationToken) =>
        run.ChangeAsync(new PlannedChange("Update", "Microsoft.CognitiveServices/accounts", account.ResourceId, $"disableLocalAuth true: {reason}"),
            () => services.Accounts.SetLocalAuthDisabledAsync(account.ResourceId, true, cancellationToken));

    /// <summary>Records on the account which model Foundry finished wiring (Tags API: the account's definition is not resent).</summary>
    public Task TagAsync(AccountInfo account, AuthModel model, CancellationToken cancellationToken) =>
        run.ChangeAsync(new PlannedChange("Update", "Microsoft.CognitiveServices/accounts", account.ResourceId, $"tag {AuthTag}={TagValue(model)}"),
            () => services.Tags.MergeAsync(account.ResourceId, new Dictionary<string, string> { [AuthTag] = TagValue(model) }, cancellationToken));
}
