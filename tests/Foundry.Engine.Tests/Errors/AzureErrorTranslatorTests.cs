using Foundry.Engine;
using Foundry.Engine.Errors;

namespace Foundry.Engine.Tests.Errors;

public sealed class AzureErrorTranslatorTests
{
    private static readonly FailureContext Deploy = new("create model deployment 'gpt-4o'", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a/deployments/gpt-4o", Location: "swedencentral");

    [Fact]
    public void Modern_quota_message_yields_QuotaExhausted_with_the_numbers()
    {
        var failure = new AzureFailure(400, "InsufficientQuota",
            "This operation require 10 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than the current available capacity 0. The current quota usage is 530 and the quota limit is 530 for quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard.",
            RequestId: "req-1");
        var e = AzureErrorTranslator.Translate(failure, Deploy);
        Assert.Equal(EngineErrorIds.QuotaExhausted, e.ErrorId);
        Assert.Equal(FailureKind.QuotaExceeded, e.Kind);
        Assert.Contains("'Tokens Per Minute (thousands) - gpt-4o - GlobalStandard' needs 10 more", e.Message);
        Assert.Contains("530 of 530 are in use", e.Message);
        Assert.Contains("0 free", e.Message);
        Assert.Contains("swedencentral", e.Message);
        Assert.Contains("fallback location", e.RecommendedAction);
        Assert.Equal("req-1", e.RequestId);
        Assert.Equal("InsufficientQuota", e.ErrorCode);
        Assert.Equal(Deploy.Target, e.Target);
    }

    [Fact]
    public void Legacy_quota_message_is_understood_too()
    {
        var failure = new AzureFailure(400, "InsufficientQuota",
            "The specified capacity '120' of account deployment is bigger than available capacity '0' for UsageName 'Tokens Per Minute (thousands) - GPT-35-Turbo'.");
        var e = AzureErrorTranslator.Translate(failure, Deploy);
        Assert.Equal(EngineErrorIds.QuotaExhausted, e.ErrorId);
        Assert.Contains("needs 120; 0 free", e.Message);
    }

    [Fact]
    public void Region_without_the_model_yields_ModelNotAvailableInRegion()
    {
        var failure = new AzureFailure(400, "InvalidResourceProperties", "The specified SKU 'Standard' for model 'gpt-4o 2024-05-13' is not supported in this region 'francecentral'.");
        var e = AzureErrorTranslator.Translate(failure, Deploy);
        Assert.Equal(EngineErrorIds.ModelNotAvailableInRegion, e.ErrorId);
        Assert.Equal(FailureKind.InvalidRequest, e.Kind);
        Assert.Contains("GlobalStandard", e.RecommendedAction);
    }

    [Fact]
    public void A_Key_Vault_access_policy_denial_names_the_access_policies_not_a_role()
    {
        var context = new FailureContext("read secret 'AZURE-OPENAI-API-KEY'", "https://kv-team.vault.azure.net/", "Key Vault Secrets Officer");
        var e = AzureErrorTranslator.Translate(new AzureFailure(403, "Forbidden",
            "Access denied. Caller was not found on any access policy.\r\nCaller: appid=a;oid=o;numgroups=0;iss=https://sts.windows.net/t/\r\nVault: kv-team;location=eastus", "AccessDenied"), context);
        Assert.Equal(EngineErrorIds.PermissionDenied, e.ErrorId);
        Assert.Equal(FailureKind.Forbidden, e.Kind);
        Assert.Contains("authorized by access policies", e.Message);
        Assert.Contains("az keyvault set-policy", e.RecommendedAction);
        Assert.DoesNotContain("Key Vault Secrets Officer", e.RecommendedAction);

        // An RBAC vault's denial still asks for the role.
        var rbac = AzureErrorTranslator.Translate(new AzureFailure(403, "Forbidden", "Caller is not authorized to perform action on resource.", "ForbiddenByRbac"), context);
        Assert.Contains("'Key Vault Secrets Officer' role", rbac.RecommendedAction);
    }

    [Fact]
    public void Forbidden_names_operation_scope_and_role()
    {
        var context = new FailureContext("assign 'Key Vault Secrets User' to the app identity", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "User Access Administrator");
        var e = AzureErrorTranslator.Translate(new AzureFailure(403, "AuthorizationFailed", "The client 'x' does not have authorization to perform action."), context);
        Assert.Equal(EngineErrorIds.PermissionDenied, e.ErrorId);
        Assert.Equal(FailureKind.Forbidden, e.Kind);
        Assert.Contains(context.Operation, e.Message);
        Assert.Contains("'User Access Administrator' role at scope '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv'", e.RecommendedAction);
    }

    [Fact]
    public void Soft_deleted_account_name_says_restore_or_purge()
    {
        var e = AzureErrorTranslator.Translate(new AzureFailure(409, "FlagMustBeSetForRestore", "An existing resource with ID '…' has been soft-deleted."), new FailureContext("create AI account", "acct"));
        Assert.Equal(EngineErrorIds.AccountNameSoftDeleted, e.ErrorId);
        Assert.Contains("purge", e.RecommendedAction);
        Assert.Contains("restore", e.RecommendedAction, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(409, "Conflict", "ObjectIsDeletedButRecoverable", EngineErrorIds.SecretDeletedButRecoverable, FailureKind.Conflict)]
    [InlineData(409, "CustomDomainInUse", null, EngineErrorIds.NameNotAvailable, FailureKind.Conflict)]
    [InlineData(409, "VaultAlreadyExists", null, EngineErrorIds.NameNotAvailable, FailureKind.Conflict)]
    [InlineData(409, "RequestConflict", null, EngineErrorIds.OperationConflict, FailureKind.Conflict)]
    [InlineData(429, "TooManyRequests", null, EngineErrorIds.Throttled, FailureKind.Throttled)]
    [InlineData(404, "SubscriptionNotFound", null, EngineErrorIds.SubscriptionNotFound, FailureKind.NotFound)]
    [InlineData(404, "ResourceNotFound", null, EngineErrorIds.ResourceNotFound, FailureKind.NotFound)]
    [InlineData(401, "InvalidAuthenticationToken", null, EngineErrorIds.AuthenticationFailed, FailureKind.Unauthorized)]
    [InlineData(503, "ServiceUnavailable", null, EngineErrorIds.ServiceUnavailable, FailureKind.ServiceUnavailable)]
    [InlineData(400, "InvalidRequestContent", null, EngineErrorIds.InvalidRequest, FailureKind.InvalidRequest)]
    public void Codes_map_to_stable_ids_and_kinds(int status, string code, string? inner, string expectedId, FailureKind expectedKind)
    {
        var e = AzureErrorTranslator.Translate(new AzureFailure(status, code, "message", inner), new FailureContext("do it", "target"));
        Assert.Equal(expectedId, e.ErrorId);
        Assert.Equal(expectedKind, e.Kind);
        Assert.Matches("^[A-Z][A-Za-z]+$", e.ErrorId);
    }

    // The shape Resource Manager answers a write Azure Policy denies: the assignment is in additionalInfo (type PolicyViolation).
    private const string PolicyBody = """
        {"error":{"code":"RequestDisallowedByPolicy","target":"kv-contoso","message":"Resource 'kv-contoso' was disallowed by policy. Policy identifiers: '[...]'.",
         "additionalInfo":[{"type":"PolicyViolation","info":{"policyDefinitionId":"/providers/Microsoft.Authorization/policyDefinitions/abc","policyDefinitionEffect":"deny",
          "policyAssignmentId":"/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/no-public-vaults","policyAssignmentName":"no-public-vaults",
          "policyAssignmentDisplayName":"Vaults must be private","policyAssignmentScope":"/subscriptions/s","policyAssignmentParameters":{}}}]}}
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RequestDisallowedByPolicy_becomes_PolicyDenied_naming_the_assignment_also_when_wrapped_in_details(bool wrapped)
    {
        var body = wrapped
            ? "{\"error\":{\"code\":\"InvalidTemplateDeployment\",\"message\":\"The template deployment failed because of policy violation.\",\"details\":[" + PolicyBody.Trim()[9..^1] + "]}}"
            : PolicyBody;
        var failure = Foundry.Engine.Rest.AzureErrors.Read(403, body, "req-9");
        Assert.Equal("no-public-vaults", failure.Policy!.AssignmentName);
        var e = AzureErrorTranslator.Translate(failure, new FailureContext("create the Key Vault", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-contoso", "Key Vault Contributor"));
        Assert.Equal(EngineErrorIds.PolicyDenied, e.ErrorId);
        Assert.Equal(FailureKind.Forbidden, e.Kind);
        Assert.Contains("'Vaults must be private' (name 'no-public-vaults', id '/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/no-public-vaults')", e.Message);
        Assert.DoesNotContain("Key Vault Contributor", e.RecommendedAction);
        Assert.Contains("exemption", e.RecommendedAction);
    }

    [Fact]
    public void ListKeys_on_an_account_with_keys_disabled_becomes_LocalAuthDisabled_with_the_keyless_remedy()
    {
        var failure = new AzureFailure(400, "BadRequest", "Failed to list key. disableLocalAuth is set to be true");
        var e = AzureErrorTranslator.Translate(failure, new FailureContext("list the AI account keys", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a", "Cognitive Services Contributor"));
        Assert.Equal(EngineErrorIds.LocalAuthDisabled, e.ErrorId);
        Assert.Contains("keyless", e.RecommendedAction);
        Assert.DoesNotContain("Cognitive Services Contributor", e.RecommendedAction);
    }
}
