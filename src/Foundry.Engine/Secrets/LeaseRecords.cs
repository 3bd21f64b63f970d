using Azure;
using Azure.Security.KeyVault.Secrets;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Secrets;

/// <summary>One claim on an environment: a version of its lease secret (no key material: the value is the run id).</summary>
internal sealed record LeaseClaim(string Version, string RunId, string Holder, string Operation, DateTimeOffset? CreatedOn, DateTimeOffset? ExpiresOn, bool Enabled)
{
    /// <summary>A claim counts until it is released (disabled) or expires (its holder stopped renewing it: crashed or cut off).</summary>
    public bool IsLive(DateTimeOffset now) => Enabled && ExpiresOn is { } expires && expires > now;
}

/// <summary>
/// The Key Vault calls behind <see cref="Environments.EnvironmentLease"/>: append a claim (a new version of the lease
/// secret, with an expiry), list the claims (the versions' properties, never values), extend or release one (an update
/// of that version's attributes). Key Vault offers no conditional write on secrets, so the lease is built from
/// append + list, which it does offer: see docs/architecture.md, "Leases".
/// </summary>
internal sealed class LeaseRecords
{
    public const string ContentType = "application/vnd.foundry.lease";
    public const string RunTag = "foundry-lease-run";
    public const string HolderTag = "foundry-lease-holder";
    public const string OperationTag = "foundry-lease-operation";
    private readonly Func<Uri, SecretClient> clientFor;

    public LeaseRecords(Func<Uri, SecretClient> clientFor) => this.clientFor = clientFor;

    public Task<LeaseClaim> AppendAsync(Uri vaultUri, string name, string runId, string holder, string operation, DateTimeOffset expiresOn, CancellationToken cancellationToken) =>
        AzureErrors.Guard(Context("claim the environment's lease", vaultUri, name), async () =>
        {
            var secret = new KeyVaultSecret(name, runId);
            secret.Properties.ContentType = ContentType;
            secret.Properties.ExpiresOn = expiresOn;
            secret.Properties.Tags[RunTag] = runId;
            secret.Properties.Tags[HolderTag] = holder;
            secret.Properties.Tags[OperationTag] = operation;
            var response = await clientFor(vaultUri).SetSecretAsync(secret, cancellationToken).ConfigureAwait(false);
            return ToClaim(response.Value.Properties);
        });

    /// <summary>Every claim ever made on the lease (empty when the lease secret does not exist).</summary>
    public Task<IReadOnlyList<LeaseClaim>> ListAsync(Uri vaultUri, string name, CancellationToken cancellationToken) =>
        AzureErrors.Guard(Context("read the environment's lease", vaultUri, name), async () =>
        {
            var claims = new List<LeaseClaim>();
            try
            {
                await foreach (var properties in clientFor(vaultUri).GetPropertiesOfSecretVersionsAsync(name, cancellationToken).ConfigureAwait(false))
                {
                    if (properties.ContentType == ContentType) claims.Add(ToClaim(properties));
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
            return (IReadOnlyList<LeaseClaim>)claims;
        });

    /// <summary>Sets a claim's expiry (renewal) or disables it (release).</summary>
    public Task UpdateAsync(Uri vaultUri, string name, LeaseClaim claim, DateTimeOffset? expiresOn, bool enabled, CancellationToken cancellationToken) =>
        AzureErrors.Guard(Context("renew or release the environment's lease", vaultUri, name), async () =>
        {
            // The version is read-only on SecretProperties: the identifier carries it. Tags are sent again: an update
            // replaces them.
            var properties = new SecretProperties(new Uri(vaultUri, $"secrets/{name}/{claim.Version}")) { Enabled = enabled, ExpiresOn = expiresOn, ContentType = ContentType };
            properties.Tags[RunTag] = claim.RunId;
            properties.Tags[HolderTag] = claim.Holder;
            properties.Tags[OperationTag] = claim.Operation;
            await clientFor(vaultUri).UpdateSecretPropertiesAsync(properties, cancellationToken).ConfigureAwait(false);
            return true;
        });

    private static LeaseClaim ToClaim(SecretProperties properties) =>
        new(properties.Version, Tag(properties, RunTag), Tag(properties, HolderTag), Tag(properties, OperationTag), properties.CreatedOn, properties.ExpiresOn, properties.Enabled ?? true);

    private static string Tag(SecretProperties properties, string tag) => properties.Tags.TryGetValue(tag, out var value) ? value : "";

    private static FailureContext Context(string operation, Uri vaultUri, string name) => new(operation, new Uri(vaultUri, $"secrets/{name}").ToString(), "Key Vault Secrets Officer");
}
