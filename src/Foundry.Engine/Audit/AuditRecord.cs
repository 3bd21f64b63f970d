namespace Foundry.Engine.Audit;

/// <summary>
/// One audited step: who did what to which resource, with what result. Never carries secret material;
/// every field passes the <see cref="Secrets.SecretScrubber"/> before it is written anywhere.
/// </summary>
/// <param name="Time">When the step ended (UTC).</param>
/// <param name="Environment">The Foundry environment (dev, staging, pr-123).</param>
/// <param name="Action">What was done: "CreateAccount", "RotateKey", "DeleteDeployment"…</param>
/// <param name="Target">The resource id acted on.</param>
/// <param name="Result">Succeeded, Failed, Skipped or Planned (-WhatIf).</param>
/// <param name="CorrelationId">The run's id, shared by every record of one command.</param>
/// <param name="Detail">A short free text (error id, key slot, secret version).</param>
public sealed record AuditRecord(
    DateTimeOffset Time, string Environment, string Action, string Target, string Result, string CorrelationId, string? Detail = null);
