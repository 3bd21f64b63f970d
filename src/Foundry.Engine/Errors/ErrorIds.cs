namespace Foundry.Engine.Errors;

/// <summary>
/// Stable error ids the Engine raises: PascalCase, one per code path, never server text. Operators and
/// runbooks match on them, and docs/troubleshooting.md explains each.
/// </summary>
public static class EngineErrorIds
{
    /// <summary>A model deployment needs more capacity than the quota leaves free.</summary>
    public const string QuotaExhausted = nameof(QuotaExhausted);
    /// <summary>The model, version or SKU is not offered in the region.</summary>
    public const string ModelNotAvailableInRegion = nameof(ModelNotAvailableInRegion);
    /// <summary>A deployment's model version is retired, or retires within the policy's retirement.refuseWithinDays.</summary>
    public const string ModelVersionRetiring = nameof(ModelVersionRetiring);
    /// <summary>The caller lacks a permission (403).</summary>
    public const string PermissionDenied = nameof(PermissionDenied);
    /// <summary>An Azure Policy assignment denied the request (403 RequestDisallowedByPolicy); the message names the assignment.</summary>
    public const string PolicyDenied = nameof(PolicyDenied);
    /// <summary>The AI account has local (key) authentication disabled — often forced by a modify policy — so key wiring cannot work.</summary>
    public const string LocalAuthDisabled = nameof(LocalAuthDisabled);
    /// <summary>A soft-deleted AI account holds the name.</summary>
    public const string AccountNameSoftDeleted = nameof(AccountNameSoftDeleted);
    /// <summary>A globally unique name (custom subdomain, vault) is taken by someone else.</summary>
    public const string NameNotAvailable = nameof(NameNotAvailable);
    /// <summary>The secret is deleted but recoverable, so its name cannot be written.</summary>
    public const string SecretDeletedButRecoverable = nameof(SecretDeletedButRecoverable);
    /// <summary>Another operation on the same resource is running (409 RequestConflict and kin).</summary>
    public const string OperationConflict = nameof(OperationConflict);
    /// <summary>Throttled and out of retries.</summary>
    public const string Throttled = nameof(Throttled);
    /// <summary>The policy's existing vault is authorized by access policies, lacks some Foundry needs, and the policy says refuse (keyVault.accessPolicies).</summary>
    public const string KeyVaultAccessPolicyMissing = nameof(KeyVaultAccessPolicyMissing);
    /// <summary>The resource does not exist.</summary>
    public const string ResourceNotFound = nameof(ResourceNotFound);
    /// <summary>The subscription does not exist or is not visible.</summary>
    public const string SubscriptionNotFound = nameof(SubscriptionNotFound);
    /// <summary>No valid credential.</summary>
    public const string AuthenticationFailed = nameof(AuthenticationFailed);
    /// <summary>In GitHub Actions, the job's ID token could not be fetched from the Actions token endpoint (the federated sign-in's assertion).</summary>
    public const string FederatedTokenUnavailable = nameof(FederatedTokenUnavailable);
    /// <summary>The request was refused as invalid.</summary>
    public const string InvalidRequest = nameof(InvalidRequest);
    /// <summary>The service failed (5xx) after retries.</summary>
    public const string ServiceUnavailable = nameof(ServiceUnavailable);
    /// <summary>The cloud endpoint could not be reached.</summary>
    public const string CloudUnreachable = nameof(CloudUnreachable);
    /// <summary>A long-running operation ended Failed or Canceled.</summary>
    public const string OperationFailed = nameof(OperationFailed);
    /// <summary>A command that needs an environment up has made found part of it missing (account, vault, secret).</summary>
    public const string EnvironmentNotProvisioned = nameof(EnvironmentNotProvisioned);
    /// <summary>A resource id given as input is malformed or has '.' / '..' segments (refused before any request).</summary>
    public const string InvalidResourceId = nameof(InvalidResourceId);
    /// <summary>Another run (another process or machine) holds the environment's lease and did not finish within the wait limit.</summary>
    public const string EnvironmentBusy = nameof(EnvironmentBusy);
    /// <summary>Anything not recognised.</summary>
    public const string AzureRequestFailed = nameof(AzureRequestFailed);
    /// <summary>A keyless environment's deployment did not serve an Entra token of a principal holding Cognitive Services OpenAI User within the propagation timeout.</summary>
    public const string EntraProbeFailed = nameof(EntraProbeFailed);
    /// <summary>An environment moving from entra to keys: the account's key authentication did not come back (a policy forces disableLocalAuth) or keys were not served.</summary>
    public const string KeysNotServed = nameof(KeysNotServed);
}
