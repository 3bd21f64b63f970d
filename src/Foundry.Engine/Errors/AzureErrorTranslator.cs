using System.Globalization;
using System.Text.RegularExpressions;

namespace Foundry.Engine.Errors;

/// <summary>
/// Turns what Azure answered into an error an operator can act on (FR-009): a stable id, a category,
/// a message that says what was being done, and a recommended action. The rules key on Azure's error
/// codes first and read its message only to pull out numbers (quota) that the code alone does not carry.
/// </summary>
public static class AzureErrorTranslator
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    // "This operation require 10 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than
    //  the current available capacity 0. The current quota usage is 530 and the quota limit is 530 for quota …"
    private static readonly Regex ModernQuota = new(
        @"require (?<need>\d+) new capacity in quota (?<quota>.+?), which is bigger than the current available capacity (?<free>\d+)\.(?: The current quota usage is (?<used>\d+) and the quota limit is (?<limit>\d+))?",
        RegexOptions.CultureInvariant, RegexTimeout);

    // "The specified capacity '120' of account deployment is bigger than available capacity '0' for UsageName 'Tokens Per Minute (thousands) - GPT-35-Turbo'."
    private static readonly Regex LegacyQuota = new(
        @"capacity '(?<need>\d+)' of account deployment is bigger than available capacity '(?<free>\d+)' for UsageName '(?<quota>[^']+)'",
        RegexOptions.CultureInvariant, RegexTimeout);

    /// <summary>Builds the exception for a failure seen while doing <paramref name="context"/>.</summary>
    public static FoundryEngineException Translate(AzureFailure failure, FailureContext context, Exception? inner = null, TimeSpan? retryAfter = null)
    {
        var code = failure.Code ?? "";
        var innerCode = failure.InnerCode ?? "";
        var (kind, id, message, action) = Classify(failure, context, code, innerCode);
        return new FoundryEngineException(kind, id, message, action, failure.Status, string.IsNullOrEmpty(code) ? null : code,
            failure.RequestId, context.Target, inner, retryAfter);
    }

    private static (FailureKind, string, string, string?) Classify(AzureFailure failure, FailureContext context, string code, string innerCode)
    {
        var where = context.Location is null ? "" : $" in {context.Location}";
        var target = context.Target ?? "the resource";

        if (Is(code, "InsufficientQuota") || Is(innerCode, "InsufficientQuota") || ModernQuota.IsMatch(failure.Message) || LegacyQuota.IsMatch(failure.Message))
        {
            return (FailureKind.QuotaExceeded, EngineErrorIds.QuotaExhausted, QuotaMessage(failure.Message, context, where),
                $"Lower the deployment capacity in the policy, free quota{where} by deleting unused deployments and purging soft-deleted accounts " +
                "(they keep their quota until purged), request more quota for the subscription, or list an approved fallback location in the policy.");
        }
        if (Is(code, "RequestDisallowedByPolicy") || Is(innerCode, "RequestDisallowedByPolicy") || failure.Policy is not null)
        {
            return (FailureKind.Forbidden, EngineErrorIds.PolicyDenied, PolicyMessage(failure, context, target),
                "Azure Policy refused the request; no role assignment changes that. Read the assignment's definition (az policy assignment show --name <name> --scope <scope>), " +
                "change the environment's settings in the Foundry policy so the resource complies, or ask the assignment's owner for a policy exemption on this scope, then run again.");
        }
        if (IsLocalAuthDisabled(failure.Message))
        {
            return (FailureKind.InvalidRequest, EngineErrorIds.LocalAuthDisabled, LocalAuthMessage(context.Target ?? target),
                LocalAuthAction);
        }
        if (IsModelUnavailable(code, failure.Message))
        {
            return (FailureKind.InvalidRequest, EngineErrorIds.ModelNotAvailableInRegion,
                $"Cannot {context.Operation}{where}: the model, version or SKU is not offered there. Azure said: {failure.Message}",
                $"Choose a model version and SKU listed for{where} (GET …/providers/Microsoft.CognitiveServices/locations/<location>/models), " +
                "prefer GlobalStandard, or add an approved fallback location to the policy.");
        }
        if (Is(code, "FlagMustBeSetForRestore"))
        {
            return (FailureKind.Conflict, EngineErrorIds.AccountNameSoftDeleted,
                $"Cannot {context.Operation}: a soft-deleted AI account still holds the name of '{target}'.",
                "Deleted AI accounts keep their name (and quota) for 48 hours. Restore it by setting the policy's purge.restoreSoftDeleted to true, " +
                "or purge it (Remove-FoundryEnvironment with purge enabled, or DELETE …/locations/<location>/resourceGroups/<rg>/deletedAccounts/<name>) and run again.");
        }
        if (Is(innerCode, "ObjectIsDeletedButRecoverable"))
        {
            return (FailureKind.Conflict, EngineErrorIds.SecretDeletedButRecoverable,
                $"Cannot {context.Operation}: the secret is deleted but recoverable, so its name cannot be written.",
                "Recover the deleted secret (Key Vault: POST /deletedsecrets/<name>/recover) or purge it if the policy allows, then run again.");
        }
        if (IsNameTaken(code, innerCode, failure.Message))
        {
            return (FailureKind.Conflict, EngineErrorIds.NameNotAvailable,
                $"Cannot {context.Operation}: the globally unique name of '{target}' is already taken. Azure said: {failure.Message}",
                "The name may belong to another subscription or to a soft-deleted resource there. Change the naming prefix in the policy " +
                "(names carry a hash of subscription and environment) or purge the soft-deleted resource, then run again.");
        }
        switch (failure.Status)
        {
            case 401:
                return (FailureKind.Unauthorized, EngineErrorIds.AuthenticationFailed, $"Not signed in to {context.Operation}. Azure said: {failure.Message}",
                    "Sign in (Connect-AzAccount, az login, a managed identity or workload identity) or check the tenant, then run again.");
            case 403 when Is(innerCode, "AccessDenied"):
                // Key Vault's access-policy denial: role assignments grant nothing on such a vault, and a policy entry
                // just added takes as long as a role to reach the data plane (terraform-provider-azurerm#9125).
                return (FailureKind.Forbidden, EngineErrorIds.PermissionDenied,
                    $"Permission denied to {context.Operation} on '{target}': the Key Vault is authorized by access policies, and they do not (yet) grant it. Azure said: {failure.Message}",
                    "Add the secret permissions for the signed-in identity to the vault's access policies (az keyvault set-policy --name <vault> --object-id <id> --secret-permissions …), " +
                    "or let up add them (keyVault.accessPolicies \"add\"); a policy just added takes a minute or more to apply, so wait, then run again.");
            case 403:
                var role = context.RequiredRole is null ? "a role that allows it" : $"the '{context.RequiredRole}' role";
                return (FailureKind.Forbidden, EngineErrorIds.PermissionDenied,
                    $"Permission denied to {context.Operation} on '{target}'. Azure said: {failure.Message}",
                    $"Grant the signed-in identity {role} at scope '{target}' or a parent scope, wait for the assignment to apply (up to a few minutes), then run again.");
            case 404 when Is(code, "SubscriptionNotFound"):
                return (FailureKind.NotFound, EngineErrorIds.SubscriptionNotFound, $"The subscription was not found while trying to {context.Operation}. Azure said: {failure.Message}",
                    "Check the subscription id in the policy and that the signed-in identity can see it (Get-AzSubscription / az account list).");
            case 404:
                return (FailureKind.NotFound, EngineErrorIds.ResourceNotFound, $"'{target}' was not found while trying to {context.Operation}.", null);
            case 409:
                return (FailureKind.Conflict, EngineErrorIds.OperationConflict,
                    $"Azure refused to {context.Operation} because another operation is in progress or the state conflicts. Azure said: {failure.Message}",
                    "Wait for the other operation on the resource to finish, then run again; Foundry commands are safe to re-run.");
            case 429:
                return (FailureKind.Throttled, EngineErrorIds.Throttled, $"Azure throttled the request to {context.Operation} and retries ran out.",
                    "Wait a few minutes (Azure's Retry-After), reduce parallel work (-ThrottleLimit), then run again.");
            case >= 500:
                return (FailureKind.ServiceUnavailable, EngineErrorIds.ServiceUnavailable, $"Azure failed to {context.Operation} (HTTP {failure.Status}). Azure said: {failure.Message}",
                    "This is usually transient: run the command again; it resumes where it stopped.");
            case 400:
                return (FailureKind.InvalidRequest, EngineErrorIds.InvalidRequest, $"Azure rejected the request to {context.Operation}. Azure said: {failure.Message}",
                    "Check the policy values named in the message, then run again.");
            default:
                return (FailureKind.Unknown, EngineErrorIds.AzureRequestFailed, $"Azure failed to {context.Operation} (HTTP {failure.Status}). Azure said: {failure.Message}", null);
        }
    }

    /// <summary>What to do about an account with keys disabled: it is a posture, not a permission.</summary>
    public const string LocalAuthAction =
        "Keys are off for this account (disableLocalAuth: true, commonly forced by the built-in policy 'Configure Cognitive Services accounts to disable local " +
        "authentication methods'), and no role assignment brings them back. Use a keyless environment: set \"auth\": \"entra\" for it in the Foundry policy (the apps call with their managed identities, no key in Key Vault), " +
        "or ask the policy's owner for an exemption for this account or its resource group and set disableLocalAuth back to false; then run again.";

    /// <summary>The message for an account whose keys are disabled.</summary>
    public static string LocalAuthMessage(string accountId) =>
        $"AI account '{accountId}' has local (key) authentication disabled, so it has no keys for Foundry to put in Key Vault; nothing was written to Key Vault or to any app.";

    private static bool IsLocalAuthDisabled(string message) =>
        message.IndexOf("disableLocalAuth is set to be true", StringComparison.OrdinalIgnoreCase) >= 0;

    private static string PolicyMessage(AzureFailure failure, FailureContext context, string target)
    {
        if (failure.Policy is not { } policy) return $"Azure Policy denied the request to {context.Operation} on '{target}'. Azure said: {failure.Message}";
        var display = string.IsNullOrEmpty(policy.AssignmentDisplayName) ? "" : $"'{policy.AssignmentDisplayName}' ";
        return $"Azure Policy assignment {display}(name '{policy.AssignmentName}', id '{policy.AssignmentId}') denied the request to {context.Operation} on '{target}'" +
               (policy.DefinitionId is null ? "." : $"; its definition is '{policy.DefinitionId}'.");
    }

    private static string QuotaMessage(string azureMessage, FailureContext context, string where)
    {
        var modern = ModernQuota.Match(azureMessage);
        if (modern.Success)
        {
            var usage = modern.Groups["used"].Success
                ? $" {Int(modern.Groups["used"].Value)} of {Int(modern.Groups["limit"].Value)} are in use,"
                : "";
            return $"Not enough quota to {context.Operation}{where}: '{modern.Groups["quota"].Value}' needs {Int(modern.Groups["need"].Value)} more;{usage} {Int(modern.Groups["free"].Value)} free.";
        }
        var legacy = LegacyQuota.Match(azureMessage);
        if (legacy.Success)
        {
            return $"Not enough quota to {context.Operation}{where}: '{legacy.Groups["quota"].Value}' needs {Int(legacy.Groups["need"].Value)}; {Int(legacy.Groups["free"].Value)} free.";
        }
        return $"Not enough quota to {context.Operation}{where}. Azure said: {azureMessage}";
    }

    private static int Int(string digits) => int.Parse(digits, CultureInfo.InvariantCulture);

    private static bool IsModelUnavailable(string code, string message) =>
        Is(code, "DeploymentModelNotSupported") || Is(code, "ModelNotAvailable") || Is(code, "SkuNotSupported") ||
        (Is(code, "InvalidResourceProperties") && (message.IndexOf("not supported", StringComparison.OrdinalIgnoreCase) >= 0 ||
                                                    message.IndexOf("not available", StringComparison.OrdinalIgnoreCase) >= 0));

    private static bool IsNameTaken(string code, string innerCode, string message) =>
        Is(code, "CustomDomainInUse") || Is(code, "VaultAlreadyExists") || Is(code, "SiteAlreadyExists") || Is(code, "SubdomainUnavailable") ||
        Is(code, "CustomSubDomainNameNotAvailable") || Is(innerCode, "CustomDomainInUse") ||
        (Is(code, "Conflict") && message.IndexOf("already in use", StringComparison.OrdinalIgnoreCase) >= 0);

    private static bool Is(string actual, string expected) => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);
}
