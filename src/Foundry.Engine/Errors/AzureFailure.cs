namespace Foundry.Engine.Errors;

/// <summary>
/// What Azure answered, as plain values: the translator works on this so it can be tested without
/// Azure.Core, and so the same rules serve Resource Manager, Key Vault and data-plane failures.
/// </summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Code">Azure's error code (the outer one; ARM wraps details).</param>
/// <param name="Message">Azure's message, already free of secret material.</param>
/// <param name="InnerCode">A nested code: Key Vault's innererror.code or the first ARM details[].code.</param>
/// <param name="RequestId">x-ms-request-id.</param>
/// <param name="Policy">The Azure Policy assignment that refused the request (additionalInfo of type PolicyViolation), if any.</param>
public sealed record AzureFailure(int Status, string? Code, string Message, string? InnerCode = null, string? RequestId = null, PolicyViolation? Policy = null);

/// <summary>The policy assignment named by a 403 RequestDisallowedByPolicy (ARM's error.additionalInfo[].info).</summary>
/// <param name="AssignmentId">policyAssignmentId.</param>
/// <param name="AssignmentName">policyAssignmentName.</param>
/// <param name="AssignmentDisplayName">policyAssignmentDisplayName.</param>
/// <param name="AssignmentScope">policyAssignmentScope.</param>
/// <param name="DefinitionId">policyDefinitionId.</param>
public sealed record PolicyViolation(string AssignmentId, string AssignmentName, string? AssignmentDisplayName, string? AssignmentScope, string? DefinitionId);

/// <summary>What the caller was doing when Azure failed: it lets the error say which operation, scope and role.</summary>
/// <param name="Operation">A short phrase: "create model deployment 'gpt-4o'".</param>
/// <param name="Target">The resource id (or name) acted on.</param>
/// <param name="RequiredRole">The built-in role that would allow the operation, when known.</param>
/// <param name="Location">The region, for quota and availability errors.</param>
public sealed record FailureContext(string Operation, string? Target = null, string? RequiredRole = null, string? Location = null);
