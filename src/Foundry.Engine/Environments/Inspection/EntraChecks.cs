using Foundry.Engine.Access;
using Foundry.Engine.Accounts;
using Foundry.Engine.OpenAI;
using Foundry.Engine.Policy;
using static Foundry.Engine.Environments.EnvironmentCheckNames;

namespace Foundry.Engine.Environments;

/// <summary>
/// A keyless (auth "entra") environment as up wired it: keys off on the account, a deployment serving an Entra token
/// of a principal holding Cognitive Services OpenAI User (the operator's), and per app the keyless settings with no key
/// setting left and its identity's role on the account. Reads only.
/// </summary>
internal sealed class EntraChecks(EngineServices services, EnvironmentRun run, CheckRecorder checks)
{
    public async Task RunAsync(AccountInfo? account, IReadOnlyDictionary<DeploymentPolicy, string> serving, CancellationToken cancellationToken)
    {
        var accountTarget = new CheckTarget(run.AccountId, run.Names.Account, run.Names.ResourceGroup);
        if (account is null) checks.Skip(LocalAuth, accountTarget, "Not checked: the Account check did not pass.");
        else
        {
            await checks.RunAsync(LocalAuth, accountTarget, () => Task.FromResult(account.LocalAuthDisabled
                ? CheckOutcome.Passed("Key authentication is off (disableLocalAuth true): the account has no key to leak or rotate.")
                : CheckOutcome.Failed("Key authentication is on (disableLocalAuth false) on a keyless environment.", CheckOutcome.Repair(run.Environment, "turns it off (no app uses a key)")))).ConfigureAwait(false);
        }

        var deployment = run.Settings.Deployments.FirstOrDefault(d => serving.TryGetValue(d, out var format) && format.Equals("OpenAI", StringComparison.OrdinalIgnoreCase) && ModelKinds.Of(d.Model) != ModelKind.Other);
        var chatTarget = new CheckTarget($"{run.AccountId}/deployments/{deployment?.Name ?? run.Settings.Deployments[0].Name}", deployment?.Name ?? run.Settings.Deployments[0].Name, run.Names.ResourceGroup);
        if (account?.Endpoint is null || deployment is null) checks.Skip(ChatCompletion, chatTarget, "Not checked: the Account or Deployment check did not pass, or no deployment takes a chat or embeddings request.");
        else
        {
            var kind = ModelKinds.Of(deployment.Model) switch { ModelKind.Embedding => "embeddings", ModelKind.Reasoning => "reasoning", _ => "chat" };
            await checks.RunAsync(ChatCompletion, chatTarget, async () =>
            {
                var reply = await services.Chat.CompleteWithTokenAsync(account.Endpoint, deployment.Name, kind, cancellationToken).ConfigureAwait(false);
                return reply.Succeeded
                    ? CheckOutcome.Passed($"Answered a request sent with the operator's Entra token (Cognitive Services OpenAI User){(reply.Model is null ? "" : $" (model {reply.Model})")}.")
                    : CheckOutcome.Failed($"A request with the operator's Entra token was refused: HTTP {reply.Status}{(reply.ErrorCode is null ? "" : $" {reply.ErrorCode}")}: {reply.Message}",
                        reply.Status is 401 or 403 ? CheckOutcome.Repair(run.Environment, "assigns Cognitive Services OpenAI User again and waits until it is served") : "Check the deployment's health and the account's network rules, then run Test-FoundryEnvironment again.");
            }).ConfigureAwait(false);
        }

        var wiring = new EntraWiring(services, run);
        foreach (var policy in run.Settings.Apps)
        {
            var target = new CheckTarget(Apps.AppOperations.IdOf(run.Subscription, policy.ResourceGroup, policy.Name), policy.Name, policy.ResourceGroup);
            EntraApp? app = null;
            await checks.RunAsync(AppSettings, target, async () =>
            {
                app = await wiring.ResolveAppAsync(policy, cancellationToken).ConfigureAwait(false);
                if (account is null) return CheckOutcome.Skipped("Not checked: the Account check did not pass.");
                var settings = await services.Apps.ListSettingsAsync(app.SiteId, cancellationToken).ConfigureAwait(false);
                var differing = wiring.DesiredSettings(app, account).Where(d => !settings.TryGetValue(d.Key, out var value) || value != d.Value).Select(d => d.Key).ToList();
                var keyLeft = settings.ContainsKey(policy.KeySetting);
                return differing.Count == 0 && !keyLeft
                    ? CheckOutcome.Passed($"{policy.EndpointSetting} and {policy.DeploymentSetting}{(app.ClientId is null ? "" : $" and {policy.ClientIdSetting}")} hold what up wrote; no {policy.KeySetting} setting.")
                    : CheckOutcome.Failed(string.Join("; ", new[]
                        {
                            differing.Count > 0 ? $"{string.Join(", ", differing)} {(differing.Count == 1 ? "does" : "do")} not hold what up wrote (values are not shown)" : null,
                            keyLeft ? $"{policy.KeySetting} is set on a keyless environment (the app would send it, and keys are off)" : null,
                        }.Where(p => p is not null)) + ".", CheckOutcome.Repair(run.Environment, "rewrites those settings and removes the key setting, keeping every other setting"));
            }).ConfigureAwait(false);

            if (app is null || account is null)
            {
                checks.Skip(AppRoleAssignment, target, $"Not checked: {(app is null ? "the app could not be read" : "the Account check did not pass")}.");
                continue;
            }
            await checks.RunAsync(AppRoleAssignment, target, async () =>
                await services.RoleAssignments.FindAsync(account.ResourceId, app.PrincipalId, BuiltInRoles.CognitiveServicesOpenAIUser, cancellationToken).ConfigureAwait(false) is not null
                    ? CheckOutcome.Passed($"The app's identity ({app.PrincipalId}) holds Cognitive Services OpenAI User on the account.")
                    : CheckOutcome.Failed($"The app's identity ({app.PrincipalId}) does not hold Cognitive Services OpenAI User on the account: its calls are refused (401 PermissionDenied).",
                        CheckOutcome.Repair(run.Environment, "assigns it again and waits until it is served"))).ConfigureAwait(false);
        }
    }
}
