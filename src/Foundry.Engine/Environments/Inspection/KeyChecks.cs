using Foundry.Engine.Accounts;
using Foundry.Engine.OpenAI;
using Foundry.Engine.Policy;
using Foundry.Engine.Vaults;
using static Foundry.Engine.Environments.EnvironmentCheckNames;

namespace Foundry.Engine.Environments;

/// <summary>What the key checks learned that the app checks need: the secret's current version, and whether it is in step.</summary>
internal sealed record KeyCheckResult(string? CurrentVersion, bool InStep);

/// <summary>
/// The key as the apps get it: the secret against the account's keys (by fingerprint, the active slot as up and
/// rotation recorded it), and on every serving deployment one request its model accepts (chat, reasoning chat or
/// embeddings; other kinds Skipped), sent with the key the secret holds.
/// </summary>
internal sealed class KeyChecks(EngineServices services, EnvironmentRun run, CheckRecorder checks)
{
    public async Task<KeyCheckResult> RunAsync(AccountInfo? account, VaultInfo? vault, IReadOnlyDictionary<DeploymentPolicy, string> serving, CancellationToken cancellationToken)
    {
        var name = run.Settings.SecretName;
        var target = new CheckTarget(vault is null ? name : $"{vault.VaultUri}secrets/{name}", name, run.Vault.ResourceGroup);
        string? key = null;
        SecretReading? reading = null;
        if (account is null || vault is null)
        {
            checks.Skip(Secret, target, "Not checked: the Account or KeyVault check did not pass.");
        }
        else
        {
            await checks.RunAsync(Secret, target, async () =>
            {
                var keys = await services.Accounts.ListKeysAsync(account.ResourceId, cancellationToken).ConfigureAwait(false);
                var current = await services.Secrets.GetAsync(vault.VaultUri, name, null, cancellationToken).ConfigureAwait(false);
                key = current?.Value;
                reading = await new KeyWiring(services, run).ReadSecretAsync(vault.VaultUri, name, current, keys, cancellationToken).ConfigureAwait(false);
                return reading.Drift is { } drift
                    ? CheckOutcome.Failed($"Secret {name}: {drift} (keys compared by fingerprint).",
                        CheckOutcome.Repair(run.Environment, $"writes {KeyWiring.SlotName(reading.Active)}'s key as a new version and refreshes the apps until they resolve it"))
                    : CheckOutcome.Passed($"Version {reading.Current!.Version} holds {KeyWiring.SlotName(reading.Active)}, the active slot's key (compared by fingerprint).");
            }).ConfigureAwait(false);
        }

        foreach (var deployment in run.Settings.Deployments)
        {
            var chatTarget = new CheckTarget($"{run.AccountId}/deployments/{deployment.Name}", deployment.Name, run.Names.ResourceGroup);
            var why = account?.Endpoint is null ? "the Account check did not pass or the account reports no endpoint"
                : key is null ? "the key could not be read from the secret"
                : !serving.ContainsKey(deployment) ? "the Deployment check did not pass"
                : null;
            if (why is not null)
            {
                checks.Skip(ChatCompletion, chatTarget, $"Not checked: {why}.");
                continue;
            }
            // The request the model accepts: Azure refuses max_tokens on reasoning models and chat on embeddings models.
            var kind = ModelKinds.Of(deployment.Model);
            if (serving[deployment] is var format && !format.Equals("OpenAI", StringComparison.OrdinalIgnoreCase))
            {
                // A Foundry model (format Microsoft, DeepSeek, Mistral AI, Meta …) is served by the Azure AI model
                // inference API, not /openai/deployments: a name that looks like a chat model proves nothing here.
                checks.Skip(ChatCompletion, chatTarget, ModelKinds.SkipReasonForFormat(deployment.Model, format));
                continue;
            }
            if (kind == ModelKind.Other)
            {
                checks.Skip(ChatCompletion, chatTarget, ModelKinds.SkipReason(deployment.Model));
                continue;
            }
            await checks.RunAsync(ChatCompletion, chatTarget, async () => Outcome(kind, kind == ModelKind.Embedding
                ? await services.Chat.EmbedAsync(account!.Endpoint!, deployment.Name, key!, cancellationToken).ConfigureAwait(false)
                : await services.Chat.CompleteAsync(account!.Endpoint!, deployment.Name, key!, cancellationToken, reasoning: kind == ModelKind.Reasoning).ConfigureAwait(false))).ConfigureAwait(false);
        }
        return new KeyCheckResult(reading?.Current?.Version, reading is { Drift: null });
    }

    private CheckOutcome Outcome(ModelKind kind, ChatReply reply)
    {
        var request = kind switch
        {
            ModelKind.Embedding => "an embeddings request",
            ModelKind.Reasoning => "a chat completion (max_completion_tokens, as reasoning models require)",
            _ => "a chat completion",
        };
        if (reply.Succeeded) return CheckOutcome.Passed($"Answered {request}{(reply.Model is null ? "" : $" (model {reply.Model})")} sent with the key the secret holds.");
        var detail = $"{char.ToUpperInvariant(request[0])}{request.Substring(1)} was refused: {(reply.Status == 0 ? "no answer" : $"HTTP {reply.Status}")}{(reply.ErrorCode is null ? "" : $" {reply.ErrorCode}")}: {reply.Message}";
        var action = reply.Status switch
        {
            401 => CheckOutcome.Repair(run.Environment, "writes the active slot's key into the secret"),
            403 => "Key authentication is refused by the account (is local auth disabled?): enable it, or move the apps to Entra ID authentication.",
            404 => CheckOutcome.Repair(run.Environment, "puts the policy's deployment back"),
            429 => "The deployment is throttled: wait and run Test-FoundryEnvironment again, or raise its capacity in the policy.",
            0 => "Check that the account's endpoint is reachable from here (network rules, private endpoints, DNS), then run again.",
            _ => "Run Test-FoundryEnvironment again; if the deployment keeps failing, check the account's health in the portal.",
        };
        return CheckOutcome.Failed(detail, action);
    }
}
