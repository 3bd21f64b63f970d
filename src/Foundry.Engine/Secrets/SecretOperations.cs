using Azure;
using Azure.Security.KeyVault.Secrets;
using Foundry.Engine.Errors;
using Foundry.Engine.Rest;

namespace Foundry.Engine.Secrets;

/// <summary>A secret version as Foundry reports it: never its value.</summary>
public sealed record SecretInfo(string Id, string Name, string Version, string VaultUri, IReadOnlyDictionary<string, string> Tags, DateTimeOffset? CreatedOn, bool Enabled);

/// <summary>A soft-deleted secret.</summary>
public sealed record DeletedSecretInfo(string Name, string? RecoveryId, DateTimeOffset? DeletedOn, DateTimeOffset? ScheduledPurgeDate);

/// <summary>
/// Key Vault secrets through SecretClient (its challenge-based auth included). Values only ever pass through the
/// internal members and are registered with the scrubber as soon as they are read or written.
/// </summary>
public sealed class SecretOperations
{
    private readonly Func<Uri, SecretClient> clientFor;
    private readonly TimeSpan pollingInterval;
    private readonly Polly.ResiliencePipeline beingDeleted;

    internal SecretOperations(Func<Uri, SecretClient> clientFor, TimeSpan pollingInterval)
    {
        this.clientFor = clientFor;
        this.pollingInterval = pollingInterval;
        beingDeleted = BeingDeletedRetry.Create(pollingInterval);
    }

    /// <summary>The latest version's properties, or null when the secret does not exist.</summary>
    public async Task<SecretInfo?> GetPropertiesAsync(Uri vaultUri, string name, CancellationToken cancellationToken) =>
        (await GetAsync(vaultUri, name, null, cancellationToken).ConfigureAwait(false))?.Info;

    /// <summary>Names of the vault's live secrets (no values).</summary>
    public Task<IReadOnlyList<string>> ListNamesAsync(Uri vaultUri, CancellationToken cancellationToken) =>
        AzureErrors.Guard(new FailureContext("list the vault's secrets", vaultUri.ToString(), "Key Vault Secrets User"), async () =>
        {
            var names = new List<string>();
            await foreach (var properties in clientFor(vaultUri).GetPropertiesOfSecretsAsync(cancellationToken).ConfigureAwait(false)) names.Add(properties.Name);
            return (IReadOnlyList<string>)names;
        });

    /// <summary>Every version's properties (no values), oldest first by creation time.</summary>
    public Task<IReadOnlyList<SecretInfo>> ListVersionsAsync(Uri vaultUri, string name, CancellationToken cancellationToken) =>
        AzureErrors.Guard(Context("list the secret's versions", vaultUri, name, "Key Vault Secrets User"), async () =>
        {
            var versions = new List<SecretInfo>();
            await foreach (var properties in clientFor(vaultUri).GetPropertiesOfSecretVersionsAsync(name, cancellationToken).ConfigureAwait(false)) versions.Add(ToInfo(properties));
            return (IReadOnlyList<SecretInfo>)versions.OrderBy(v => v.CreatedOn ?? DateTimeOffset.MinValue).ToList();
        });

    /// <summary>The soft-deleted secret, or null.</summary>
    public async Task<DeletedSecretInfo?> GetDeletedAsync(Uri vaultUri, string name, CancellationToken cancellationToken)
    {
        var context = Context("read the deleted secret", vaultUri, name, "Key Vault Secrets Officer");
        try
        {
            var deleted = await clientFor(vaultUri).GetDeletedSecretAsync(name, cancellationToken).ConfigureAwait(false);
            return new DeletedSecretInfo(deleted.Value.Name, deleted.Value.RecoveryId?.ToString(), deleted.Value.DeletedOn, deleted.Value.ScheduledPurgeDate);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, context);
        }
    }

    /// <summary>Starts deleting (soft) the secret; null when it does not exist.</summary>
    public async Task<EngineOperation?> StartDeleteAsync(Uri vaultUri, string name, CancellationToken cancellationToken)
    {
        var context = Context("delete the secret", vaultUri, name, "Key Vault Secrets Officer");
        try
        {
            var operation = await clientFor(vaultUri).StartDeleteSecretAsync(name, cancellationToken).ConfigureAwait(false);
            return new EngineOperation(operation, SecretId(vaultUri, name), context, pollingInterval);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, context);
        }
    }

    /// <summary>Purges the deleted secret so its name is free; false when there was nothing to purge.</summary>
    public async Task<bool> PurgeDeletedAsync(Uri vaultUri, string name, CancellationToken cancellationToken)
    {
        var context = Context("purge the deleted secret", vaultUri, name, "Key Vault Secrets Officer");
        try
        {
            await beingDeleted.ExecuteAsync(async token => await clientFor(vaultUri).PurgeDeletedSecretAsync(name, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, context);
        }
    }

    /// <summary>Starts recovering the deleted secret (the SDK then polls until it is readable).</summary>
    public Task<EngineOperation> StartRecoverAsync(Uri vaultUri, string name, CancellationToken cancellationToken)
    {
        var context = Context("recover the deleted secret", vaultUri, name, "Key Vault Secrets Officer");
        return AzureErrors.Guard(context, async () =>
        {
            var operation = await beingDeleted.ExecuteAsync(async token => await clientFor(vaultUri).StartRecoverDeletedSecretAsync(name, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return new EngineOperation(operation, SecretId(vaultUri, name), context, pollingInterval);
        });
    }

    internal Task<SecretInfo> SetAsync(Uri vaultUri, string name, string value, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        SecretScrubber.Shared.Register(value);
        var context = Context("write the secret", vaultUri, name, "Key Vault Secrets Officer");
        return AzureErrors.Guard(context, async () =>
        {
            var secret = new KeyVaultSecret(name, value);
            foreach (var tag in tags) secret.Properties.Tags[tag.Key] = tag.Value;
            // Right after a delete or purge of the name, Key Vault answers ObjectIsBeingDeleted for a while.
            var response = await beingDeleted.ExecuteAsync(async token => await clientFor(vaultUri).SetSecretAsync(secret, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return ToInfo(response.Value.Properties);
        });
    }

    internal async Task<(SecretInfo Info, string Value)?> GetAsync(Uri vaultUri, string name, string? version, CancellationToken cancellationToken)
    {
        var context = Context("read the secret", vaultUri, name, "Key Vault Secrets User");
        try
        {
            var response = await clientFor(vaultUri).GetSecretAsync(name, version, cancellationToken).ConfigureAwait(false);
            SecretScrubber.Shared.Register(response.Value.Value);
            return (ToInfo(response.Value.Properties), response.Value.Value);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw AzureErrors.From(e, context);
        }
    }

    private static SecretInfo ToInfo(SecretProperties properties) =>
        new(properties.Id.ToString(), properties.Name, properties.Version, properties.VaultUri.ToString(),
            new Dictionary<string, string>(properties.Tags, StringComparer.OrdinalIgnoreCase), properties.CreatedOn, properties.Enabled ?? true);

    private static string SecretId(Uri vaultUri, string name) => new Uri(vaultUri, $"secrets/{name}").ToString();

    private static FailureContext Context(string operation, Uri vaultUri, string name, string role) => new(operation, SecretId(vaultUri, name), role);
}
