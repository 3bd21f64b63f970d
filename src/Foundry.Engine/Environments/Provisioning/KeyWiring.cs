using Foundry.Engine.Access;
using Foundry.Engine.Accounts;
using Foundry.Engine.Apps;
using Foundry.Engine.Policy;
using Foundry.Engine.Secrets;
using Foundry.Engine.Vaults;

namespace Foundry.Engine.Environments;

/// <summary>The secret as up left it: where it is, which version (null while WhatIf plans a new one), which key slot it holds.</summary>
internal sealed record SecretState(Uri VaultUri, string Name, string? Version, KeySlot Slot);

/// <summary>The secret's latest version against the account's keys: which slot it holds (null: neither) and which is active.</summary>
internal sealed record SecretReading(SecretInfo? Current, KeySlot? Holds, KeySlot Active)
{
    /// <summary>Why the secret must be written again, or null when it holds the active key under the active slot's tag.</summary>
    public string? Drift => Current is null ? "missing"
        : Holds is null ? "the secret matches neither account key"
        : Holds != Active ? $"the secret holds {KeyWiring.SlotName(Holds.Value)} but the active slot is {KeyWiring.SlotName(Active)}"
        : KeyWiring.ParseSlot(Current.Tags) != Active ? "the slot tag is missing" : null;
}

/// <summary>
/// Puts the account key where the apps read it: the operator's data-plane access, the Key Vault secret (checked
/// against the real keys by fingerprint), and per app the merged settings with a Key Vault reference, the
/// identity's read role, and a refresh verified Resolved on the current version.
/// </summary>
internal sealed class KeyWiring
{
    public const string SlotTag = "foundry-key-slot";
    public const string RotatedAtTag = "foundry-rotated-at";
    private readonly EngineServices services;
    private readonly EnvironmentRun run;
    private readonly object settlerSync = new();
    private SecretSettler? settler;

    public KeyWiring(EngineServices services, EnvironmentRun run)
    {
        this.services = services;
        this.run = run;
        Refresher = new ReferenceRefresher(services.Apps, services.Timings);
    }

    /// <summary>The command's one refresher: its refresh budget per app holds across every step of the command.</summary>
    public ReferenceRefresher Refresher { get; }

    /// <summary>The command's one settler of the secret (repairs of several apps' waits do not race each other).</summary>
    public SecretSettler Settler(string accountId, Uri vaultUri)
    {
        lock (settlerSync) return settler ??= new SecretSettler(services, new KeyCurrency(services, accountId, vaultUri, run.Settings.SecretName), this, run.Reporter);
    }

    /// <summary>The reference value an app setting holds: versionless, so new versions reach the app on refresh.</summary>
    public static string Reference(Uri vaultUri, string secretName) => $"@Microsoft.KeyVault(SecretUri={vaultUri.ToString().TrimEnd('/')}/secrets/{secretName}/)";

    public static KeySlot? ParseSlot(IReadOnlyDictionary<string, string> tags) =>
        tags.TryGetValue(SlotTag, out var value) ? value.Equals("key1", StringComparison.OrdinalIgnoreCase) ? KeySlot.Key1
            : value.Equals("key2", StringComparison.OrdinalIgnoreCase) ? KeySlot.Key2 : null : null;

    public static string SlotName(KeySlot slot) => slot == KeySlot.Key1 ? "key1" : "key2";

    /// <summary>
    /// Grants the signed-in operator Key Vault Secrets Officer on the vault (RBAC vaults grant nothing by default), or,
    /// on an access-policy vault, the secret permissions it needs through an access policy.
    /// </summary>
    public async Task EnsureOperatorAccessAsync(string vaultId, CancellationToken cancellationToken)
    {
        var principal = await services.CurrentPrincipal(cancellationToken).ConfigureAwait(false);
        if (await services.Vaults.GetAsync(vaultId, cancellationToken).ConfigureAwait(false) is { RbacAuthorization: false } policyVault)
        {
            await new VaultAccessPolicies(services, run).EnsureAsync(policyVault, principal, VaultAccessPolicies.OperatorSecretPermissions, "the operator", cancellationToken).ConfigureAwait(false);
            return;
        }
        var existing = run.WhatIf && !await VaultExistsAsync(vaultId, cancellationToken).ConfigureAwait(false)
            ? null
            : await services.RoleAssignments.FindAsync(vaultId, principal, BuiltInRoles.KeyVaultSecretsOfficer, cancellationToken).ConfigureAwait(false);
        if (existing is not null) return;
        await run.ChangeAsync(new PlannedChange("Assign", "Microsoft.Authorization/roleAssignments", vaultId, $"the operator ({principal}) needs Key Vault Secrets Officer to write the secret"),
            () => services.RoleAssignments.EnsureAsync(vaultId, principal, BuiltInRoles.KeyVaultSecretsOfficer, null, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<SecretState?> EnsureSecretAsync(AccountInfo? account, VaultInfo? vault, CancellationToken cancellationToken)
    {
        var name = run.Settings.SecretName;
        if (account is null || vault is null)
        {
            await run.ChangeAsync(new PlannedChange("Create", "secret", name, "holds key1 of the new account"), () => Task.CompletedTask).ConfigureAwait(false);
            return null;
        }
        // The secret before the keys: a rotation running meanwhile then leaves a secret that still holds a valid key
        // (no write), never keys older than the secret, which would write back a key the rotation just revoked.
        var current = await Propagation.RetryForbiddenAsync(() => services.Secrets.GetAsync(vault.VaultUri, name, null, cancellationToken),
            services.Timings, cancellationToken).ConfigureAwait(false);
        if (current is null && await services.Secrets.GetDeletedAsync(vault.VaultUri, name, cancellationToken).ConfigureAwait(false) is not null)
        {
            // A deleted secret blocks its name: an ephemeral environment purges it, a long-lived one recovers it, and so
            // does any environment whose vault is purge-protected (Key Vault answers that purge 403 "not allowed").
            if (run.Settings.Ephemeral && !vault.PurgeProtection)
            {
                await run.ChangeAsync(new PlannedChange("Purge", "deletedsecret", $"{vault.VaultUri}deletedsecrets/{name}", "a deleted secret holds the name"),
                    () => services.Secrets.PurgeDeletedAsync(vault.VaultUri, name, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                await run.ChangeAsync(new PlannedChange("Recover", "secret", $"{vault.VaultUri}secrets/{name}", "deleted but recoverable"),
                    async () => await (await services.Secrets.StartRecoverAsync(vault.VaultUri, name, cancellationToken).ConfigureAwait(false)).WaitAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                current = run.WhatIf ? null : await services.Secrets.GetAsync(vault.VaultUri, name, null, cancellationToken).ConfigureAwait(false);
            }
        }
        var keys = await services.Accounts.ListKeysAsync(account.ResourceId, cancellationToken).ConfigureAwait(false);
        var reading = await ReadSecretAsync(vault.VaultUri, name, current, keys, cancellationToken).ConfigureAwait(false);
        if (reading.Drift is not { } reason) return new SecretState(vault.VaultUri, name, current!.Value.Info.Version, reading.Active);
        var slot = reading.Active;
        SecretInfo? written = null;
        await run.ChangeAsync(new PlannedChange(current is null ? "Create" : "Update", "secret", $"{vault.VaultUri}secrets/{name}", $"{reason}; holds {SlotName(slot)}"),
            // The settler reads the keys again around the write: a rotation in another process may regenerate the slot meanwhile.
            async () => written = await Settler(account.ResourceId, vault.VaultUri).WriteAsync(slot, keys[slot],
                write => Propagation.RetryForbiddenAsync(write, services.Timings, cancellationToken), cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        // Under WhatIf nothing was written: the version is unknown, and the apps are planned against "a new version".
        return new SecretState(vault.VaultUri, name, written?.Version, slot);
    }

    /// <summary>
    /// Which key the secret holds, and which slot is active: the one Foundry last wrote, as the slot tag of the latest
    /// version says or, when a hand-written version dropped the tag, the newest tagged version; the key it holds only
    /// when Foundry never wrote one.
    /// </summary>
    public async Task<SecretReading> ReadSecretAsync(Uri vaultUri, string name, (SecretInfo Info, string Value)? current, AccountKeys keys, CancellationToken cancellationToken)
    {
        if (current is null) return new SecretReading(null, null, KeySlot.Key1);
        var holds = KeyFingerprint.Same(current.Value.Value, keys.Key1) ? KeySlot.Key1 : KeyFingerprint.Same(current.Value.Value, keys.Key2) ? KeySlot.Key2 : (KeySlot?)null;
        var active = ParseSlot(current.Value.Info.Tags);
        if (active is null)
        {
            // Key Vault's created time has whole seconds and list order is not defined: Foundry's own write time (in
            // its tag, to the tick) orders the versions it wrote, as two writes often fall in one second.
            var versions = await services.Secrets.ListVersionsAsync(vaultUri, name, cancellationToken).ConfigureAwait(false);
            active = versions.Where(v => ParseSlot(v.Tags) is not null)
                .OrderBy(v => WrittenAt(v))
                .Select(v => ParseSlot(v.Tags)).LastOrDefault();
        }
        return new SecretReading(current.Value.Info, holds, active ?? holds ?? KeySlot.Key1);
    }

    /// <summary>The settings up writes on an app: the versionless reference, the endpoint and the first deployment.</summary>
    public IReadOnlyDictionary<string, string> DesiredSettings(AppPolicy policy, AccountInfo account, Uri vaultUri, string secretName) =>
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [policy.KeySetting] = Reference(vaultUri, secretName),
            [policy.EndpointSetting] = account.Endpoint ?? "",
            [policy.DeploymentSetting] = run.Settings.Deployments[0].Name,
        };

    private static DateTimeOffset WrittenAt(SecretInfo version) =>
        version.Tags.TryGetValue(RotatedAtTag, out var text) &&
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at)
            ? at : version.CreatedOn ?? DateTimeOffset.MinValue;

    public IReadOnlyDictionary<string, string> SecretTags(KeySlot slot)
    {
        var tags = EnvironmentRun.Copy(run.WriteTags());
        tags[SlotTag] = SlotName(slot);
        tags[RotatedAtTag] = DateTimeOffset.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        return tags;
    }

    /// <summary>
    /// Grants the app's identity Key Vault Secrets User on the vault, when it has an identity and lacks the role; true
    /// when it assigned (or, under WhatIf, planned) it, null when the app is missing or has no identity (left to
    /// <see cref="EnsureAppAsync"/> to report). Up calls this as soon as the vault exists: the assignment then
    /// propagates to Key Vault (a minute or more) while the account and deployments are created.
    /// </summary>
    public async Task<bool?> EnsureAppReadAccessAsync(AppPolicy policy, VaultInfo vault, CancellationToken cancellationToken)
    {
        var app = await services.Apps.GetAsync(AppOperations.IdOf(run.Subscription, policy.ResourceGroup, policy.Name), cancellationToken).ConfigureAwait(false);
        if (app?.WiringPrincipalId is not { } principal) return null;
        return await EnsureReadRoleAsync(policy, principal, vault, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> EnsureReadRoleAsync(AppPolicy policy, string principalId, VaultInfo vault, CancellationToken cancellationToken)
    {
        // Role assignments grant nothing on an access-policy vault: the app's principal gets "get" there instead.
        if (!vault.RbacAuthorization) return await new VaultAccessPolicies(services, run).EnsureAsync(vault, principalId, VaultAccessPolicies.AppSecretPermissions, $"app '{policy.Name}'", cancellationToken).ConfigureAwait(false);
        if (await services.RoleAssignments.FindAsync(vault.ResourceId, principalId, BuiltInRoles.KeyVaultSecretsUser, cancellationToken).ConfigureAwait(false) is not null) return false;
        await run.ChangeAsync(new PlannedChange("Assign", "Microsoft.Authorization/roleAssignments", vault.ResourceId, $"app '{policy.Name}' identity reads the secret (Key Vault Secrets User)"),
            () => services.RoleAssignments.EnsureAsync(vault.ResourceId, principalId, BuiltInRoles.KeyVaultSecretsUser, "ServicePrincipal", cancellationToken)).ConfigureAwait(false);
        return true;
    }

    /// <remarks>
    /// readAccessGranted: whether <see cref="EnsureAppReadAccessAsync"/> already assigned the read role in this run
    /// (true), found it (false), or did not run (null: the role is checked here).
    /// </remarks>
    public async Task EnsureAppAsync(AppPolicy policy, AccountInfo? account, VaultInfo? vault, SecretState? secret, CancellationToken cancellationToken, bool? readAccessGranted = null)
    {
        var siteId = AppOperations.IdOf(run.Subscription, policy.ResourceGroup, policy.Name);
        var app = await services.Apps.GetAsync(siteId, cancellationToken).ConfigureAwait(false)
            ?? throw new FoundryEngineException(FailureKind.NotFound, "AppNotFound", $"The app '{policy.Name}' named in the policy was not found in resource group '{policy.ResourceGroup}'.",
                "Create the Function App first (Foundry wires existing apps, it does not create them), or fix apps[].name / resourceGroup in the policy.", target: siteId);
        var principal = app.WiringPrincipalId ?? throw NoReferenceIdentity(policy, app, siteId);
        await new AppOwnership(services, run).ClaimAsync(policy, app, cancellationToken).ConfigureAwait(false);
        var identityChosen = false;
        if (app.SoleUserAssignedIdentity is { } identityId)
        {
            // Only a user-assigned identity: App Service would resolve references with the (absent) system-assigned
            // one and fail MSINotEnabled, so the app is told to use its user-assigned identity, which gets read access.
            identityChosen = true;
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites", siteId, $"resolve Key Vault references with the user-assigned identity '{identityId.Split('/').Last()}' (keyVaultReferenceIdentity)"),
                () => services.Apps.SetKeyVaultReferenceIdentityAsync(siteId, identityId, cancellationToken)).ConfigureAwait(false);
        }
        await new SlotSettings(services, run).EnsureAsync(policy, siteId, cancellationToken).ConfigureAwait(false);
        if (account is null || vault is null || secret is null)
        {
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites/config", $"{siteId}/config/appsettings", $"set {policy.KeySetting}, {policy.EndpointSetting}, {policy.DeploymentSetting}"), () => Task.CompletedTask).ConfigureAwait(false);
            if (readAccessGranted is null)
            {
                await run.ChangeAsync(new PlannedChange("Assign", "Microsoft.Authorization/roleAssignments", vault?.ResourceId ?? run.Names.KeyVault, $"app identity reads the secret (Key Vault Secrets User)"), () => Task.CompletedTask).ConfigureAwait(false);
            }
            return;
        }

        var desired = DesiredSettings(policy, account, vault.VaultUri, secret.Name);
        var settings = await services.Apps.ListSettingsAsync(siteId, cancellationToken).ConfigureAwait(false);
        var differing = desired.Where(d => !settings.TryGetValue(d.Key, out var value) || value != d.Value).Select(d => d.Key).ToList();
        var changed = identityChosen;
        if (differing.Count > 0)
        {
            changed = true;
            await run.ChangeAsync(new PlannedChange("Update", "Microsoft.Web/sites/config", $"{siteId}/config/appsettings", $"set {string.Join(", ", differing)} (other settings kept)"), async () =>
            {
                // PUT replaces the whole set: merge into a fresh read so settings written meanwhile survive.
                var fresh = await services.Apps.ListSettingsAsync(siteId, cancellationToken).ConfigureAwait(false);
                foreach (var setting in desired) fresh[setting.Key] = setting.Value;
                await services.Apps.ReplaceSettingsAsync(siteId, fresh, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        if (readAccessGranted ?? await EnsureReadRoleAsync(policy, principal, vault, cancellationToken).ConfigureAwait(false)) changed = true;
        var status = await services.Apps.GetKeyVaultReferenceAsync(siteId, policy.KeySetting, cancellationToken).ConfigureAwait(false);
        var settler = run.WhatIf ? null : Settler(account.ResourceId, vault.VaultUri);
        var onOurVersion = secret.Version is not null
            && await ResolvedVersion.ProvenAsync(services.Secrets, status, vault.VaultUri, secret.Name, cancellationToken).ConfigureAwait(false) == secret.Version;
        // On another version, a run in another process may have moved the secret on (a rotation): the app is
        // up to date when it resolves the secret's latest key and the account still has that key.
        var stale = secret.Version is null || (!onOurVersion &&
            (settler is null || (await settler.Currency.JudgeAsync(status, cancellationToken).ConfigureAwait(false)).Verdict != ReferenceVerdict.Current));
        if (changed || stale)
        {
            var reason = changed ? "pick up the new reference"
                : secret.Version is null ? "resolve the secret's new version"
                : status?.Status == "Resolved" ? $"resolve secret version {secret.Version} (it resolves {status.ActiveVersion ?? ResolvedVersion.Unreported})"
                : $"reference is {status?.Status ?? "absent"} on version {status?.ActiveVersion ?? "none"}";
            await run.ChangeAsync(new PlannedChange("Refresh", "Microsoft.Web/sites", siteId, reason),
                () => Refresher.RefreshUntilCurrentAsync(siteId, policy.KeySetting, run.Settings.RefreshTimeout, settler!.Currency.JudgeAsync,
                    token => settler.RepairAsync(secret.Slot, token), cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Why no identity of the app can resolve its Key Vault references, with what to do about it.</summary>
    internal static FoundryEngineException NoReferenceIdentity(AppPolicy policy, AppInfo app, string siteId) =>
        !app.ReferencesUseSystemIdentity
            ? new FoundryEngineException(FailureKind.InvalidRequest, "AppIdentityMissing",
                $"The app '{policy.Name}' resolves Key Vault references with the user-assigned identity '{app.KeyVaultReferenceIdentity}' (keyVaultReferenceIdentity), which is not assigned to the app.",
                "Assign that identity to the app (az functionapp identity assign --identities <id>), or point keyVaultReferenceIdentity at an assigned identity or SystemAssigned, then run again.", target: siteId)
            : app.UserAssignedPrincipals.Count > 1
            ? new FoundryEngineException(FailureKind.InvalidRequest, "AppIdentityMissing",
                $"The app '{policy.Name}' has {app.UserAssignedPrincipals.Count} user-assigned identities and no system-assigned one, so Foundry cannot tell which should read Key Vault references.",
                "Choose one: az functionapp update --set keyVaultReferenceIdentity=<identity resource id> (or turn on the system-assigned identity), then run again.", target: siteId)
            : new FoundryEngineException(FailureKind.InvalidRequest, "AppIdentityMissing", $"The app '{policy.Name}' has no managed identity, so it cannot read Key Vault references.",
                "Turn on the app's system-assigned identity (Update-AzFunctionApp -IdentityType SystemAssigned / az functionapp identity assign), or assign it a user-assigned identity, then run again.", target: siteId);

    private async Task<bool> VaultExistsAsync(string vaultId, CancellationToken cancellationToken) =>
        await services.Vaults.GetAsync(vaultId, cancellationToken).ConfigureAwait(false) is not null;
}
