namespace Foundry.Engine.Accounts;

/// <summary>An AI services / Azure OpenAI account as Foundry sees it.</summary>
public sealed record AccountInfo(
    string ResourceId,
    string Name,
    string SubscriptionId,
    string ResourceGroupName,
    string Location,
    string Kind,
    string? Endpoint,
    string? CustomSubdomain,
    string? ProvisioningState,
    string? PrincipalId,
    IReadOnlyDictionary<string, string> Tags,
    bool LocalAuthDisabled = false);

/// <summary>What an account should look like.</summary>
/// <param name="SubscriptionId">Subscription.</param>
/// <param name="ResourceGroupName">Resource group.</param>
/// <param name="Name">Account name.</param>
/// <param name="Location">Region.</param>
/// <param name="Kind">OpenAI or AIServices.</param>
/// <param name="CustomSubdomain">Custom subdomain (globally unique, immutable).</param>
/// <param name="Tags">Tags.</param>
/// <param name="Restore">Restore a soft-deleted account of the same name instead of creating one.</param>
/// <param name="DisableLocalAuth">Create the account without keys (auth "entra"): only Entra tokens are served.</param>
public sealed record AccountSpec(
    string SubscriptionId, string ResourceGroupName, string Name, string Location, string Kind, string CustomSubdomain,
    IReadOnlyDictionary<string, string> Tags, bool Restore = false, bool DisableLocalAuth = false);

/// <summary>The two key slots of an account.</summary>
public enum KeySlot
{
    /// <summary>key1.</summary>
    Key1 = 1,
    /// <summary>key2.</summary>
    Key2 = 2,
}

/// <summary>Fingerprints of an account's two keys: enough to tell which one a secret holds, nothing to leak.</summary>
public sealed record KeyFingerprints(string Key1, string Key2)
{
    /// <summary>The slot whose key has this fingerprint, or null.</summary>
    public KeySlot? SlotOf(string fingerprint) =>
        fingerprint == Key1 ? KeySlot.Key1 : fingerprint == Key2 ? KeySlot.Key2 : null;
}

/// <summary>The keys themselves: Engine-internal, registered with the scrubber the moment they are read.</summary>
internal sealed class AccountKeys
{
    public AccountKeys(string key1, string key2)
    {
        Key1 = key1;
        Key2 = key2;
        Secrets.SecretScrubber.Shared.Register(key1);
        Secrets.SecretScrubber.Shared.Register(key2);
    }

    public string Key1 { get; }
    public string Key2 { get; }

    public string this[KeySlot slot] => slot == KeySlot.Key1 ? Key1 : Key2;

    public KeyFingerprints Fingerprints => new(Secrets.KeyFingerprint.Of(Key1), Secrets.KeyFingerprint.Of(Key2));
}
