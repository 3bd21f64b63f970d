using Foundry.Engine.Access;
using Foundry.Engine.Errors;

namespace Foundry.Engine.Environments;

/// <summary>
/// Before a keys environment's first write: an Azure Policy assignment that will turn the new account's keys off (the
/// built-in modify "Configure Cognitive Services accounts to disable local authentication methods", or the built-in
/// audit/deny "Azure AI Services resources should have key access disabled" with effect Deny) stops up here, naming the
/// assignment, instead of after the account is created. Reading assignments needs only Reader; without it the check
/// is skipped and the account's own disableLocalAuth still stops up right after creation.
/// </summary>
internal sealed class LocalAuthPolicyCheck(EngineServices services, EnvironmentRun run)
{
    /// <summary>Built-in modify definition (effect Modify by default, or Disabled).</summary>
    public const string DisableLocalAuthModify = "/providers/Microsoft.Authorization/policyDefinitions/14de9e63-1b31-492e-a5a3-c3f7fd57f555";
    /// <summary>Built-in audit definition whose effect parameter may be Deny (Audit by default).</summary>
    public const string LocalAuthDisabledAudit = "/providers/Microsoft.Authorization/policyDefinitions/71ef260a-8f18-47b7-abcb-62d0673d94dc";

    public async Task RefuseEarlyAsync(CancellationToken cancellationToken)
    {
        var group = await services.Groups.GetAsync(run.Subscription, run.Names.ResourceGroup, cancellationToken).ConfigureAwait(false);
        var scope = group is null ? $"/subscriptions/{run.Subscription}" : $"/subscriptions/{run.Subscription}/resourceGroups/{run.Names.ResourceGroup}";
        var policies = new PolicyAssignmentOperations(services.Arm);
        try
        {
            foreach (var (definition, forces) in new (string, Func<PolicyAssignmentInfo, bool>)[]
            {
                (DisableLocalAuthModify, a => !string.Equals(a.Effect, "Disabled", StringComparison.OrdinalIgnoreCase)),
                (LocalAuthDisabledAudit, a => string.Equals(a.Effect, "Deny", StringComparison.OrdinalIgnoreCase)),
            })
            {
                var assignment = (await policies.ListAppliedAsync(scope, definition, cancellationToken).ConfigureAwait(false))
                    .FirstOrDefault(a => forces(a) && !string.Equals(a.EnforcementMode, "DoNotEnforce", StringComparison.OrdinalIgnoreCase));
                if (assignment is null) continue;
                var display = string.IsNullOrEmpty(assignment.DisplayName) ? "" : $"'{assignment.DisplayName}' ";
                throw new FoundryEngineException(FailureKind.InvalidRequest, EngineErrorIds.LocalAuthDisabled,
                    $"Azure Policy assignment {display}(name '{assignment.Name}', id '{assignment.Id}') turns key authentication off on AI accounts in '{scope}', " +
                    $"so environment '{run.Environment}' (auth \"keys\") cannot get a key; nothing was written.",
                    AzureErrorTranslator.LocalAuthAction, target: assignment.Id);
            }
        }
        catch (FoundryEngineException e) when (e.Kind == FailureKind.Forbidden)
        {
            run.Reporter.Verbose($"Azure Policy assignments could not be read at {scope} ({e.ErrorId}); the account's own disableLocalAuth is checked after creation instead.");
        }
    }
}
