using System.Text.Json;

namespace Foundry.Engine.Policy;

/// <summary>Validates one environment's settings (defaults already merged in), collecting every problem with its path.</summary>
internal static class EnvironmentSettingsReader
{
    /// <summary>Azure's limit of tag name/value pairs on one resource or resource group.</summary>
    public const int MaxTagsPerResource = 50;

    /// <summary>
    /// Foundry's own tags on one write: foundry-managed, -env, -app and -run-id everywhere, plus -created-at on
    /// resources or -key-slot and -rotated-at on the secret.
    /// </summary>
    public const int FoundryTagCount = 6;

    /// <summary>How many required tags a policy may ask for, so that every write stays within Azure's limit.</summary>
    public const int MaxRequiredTags = MaxTagsPerResource - FoundryTagCount;

    public static EnvironmentPolicy? Read(IReadOnlyDictionary<string, JsonElement> settings, string path, bool ephemeralByDefault, List<string> problems)
    {
        var before = problems.Count;
        var subscriptionId = Text(settings, "subscriptionId", path, problems, required: true);
        if (subscriptionId is not null && !Guid.TryParse(subscriptionId, out _)) problems.Add($"{path}.subscriptionId: '{subscriptionId}' is not a GUID");

        var location = Text(settings, "location", path, problems, required: true);
        if (location is not null && !PolicyReader.IsRegion(location)) problems.Add($"{path}.location: '{location}' is not a region name (e.g. eastus, swedencentral)");

        var fallback = Strings(settings, "fallbackLocations", path, problems);
        for (var i = 0; i < fallback.Count; i++)
        {
            if (!PolicyReader.IsRegion(fallback[i])) problems.Add($"{path}.fallbackLocations[{i}]: '{fallback[i]}' is not a region name");
            else if (fallback[i] == location) problems.Add($"{path}.fallbackLocations[{i}]: '{fallback[i]}' is already the preferred location");
        }

        var kind = Text(settings, "accountKind", path, problems) ?? "OpenAI";
        if (kind is not ("OpenAI" or "AIServices")) problems.Add($"{path}.accountKind: '{kind}' must be OpenAI or AIServices");

        var deployments = Deployments(settings, path, problems);
        var tags = Tags(settings, path, problems);
        var vault = Vault(settings, path, problems);

        var secretName = Text(settings, "secretName", path, problems) ?? "AZURE-OPENAI-API-KEY";
        if (!PolicyReader.IsSecretName(secretName))
        {
            problems.Add($"{path}.secretName: '{secretName}' is not a legal Key Vault secret name: only letters, digits and hyphens are allowed" +
                         (secretName.Contains('_') ? $" (use '{secretName.Replace('_', '-')}' for the secret; the app setting the apps read keeps its underscores)" : ""));
        }

        var apps = Apps(settings, path, problems);
        var ephemeral = Bool(settings, "ephemeral", path, problems) ?? ephemeralByDefault;
        var purge = Purge(settings, path, ephemeral, problems);
        var refresh = RefreshTimeout(settings, path, problems);
        var retirement = Retirement(settings, path, problems);
        var authText = Text(settings, "auth", path, problems);
        var auth = authText switch
        {
            null or "keys" => AuthModel.Keys,
            "entra" => AuthModel.Entra,
            _ => (AuthModel?)null,
        };
        if (auth is null) problems.Add($"{path}.auth: '{authText}' must be \"keys\" or \"entra\"");

        if (problems.Count > before) return null;
        return new EnvironmentPolicy
        {
            SubscriptionId = subscriptionId!,
            Location = location!,
            FallbackLocations = fallback,
            AccountKind = kind,
            Deployments = deployments,
            RequiredTags = tags,
            KeyVault = vault!,
            SecretName = secretName,
            Apps = apps,
            Ephemeral = ephemeral,
            Purge = purge,
            RefreshTimeout = refresh,
            Retirement = retirement,
            Auth = auth ?? AuthModel.Keys,
        };
    }

    private static List<DeploymentPolicy> Deployments(IReadOnlyDictionary<string, JsonElement> settings, string path, List<string> problems)
    {
        var result = new List<DeploymentPolicy>();
        if (!settings.TryGetValue("deployments", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            problems.Add($"{path}.deployments: required, a non-empty array of approved model deployments");
            return result;
        }
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{path}.deployments[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{at}: must be an object");
                continue;
            }
            PolicyReader.Unknown(item, at, problems, "name", "model", "version", "sku", "capacity", "versionUpgradeOption");
            var model = PolicyReader.String(item, "model", $"{at}.model", problems, required: true);
            var name = PolicyReader.String(item, "name", $"{at}.name", problems) ?? model;
            var version = PolicyReader.String(item, "version", $"{at}.version", problems, required: true);
            var sku = PolicyReader.String(item, "sku", $"{at}.sku", problems) ?? "GlobalStandard";
            if (name is not null && !PolicyReader.IsDeploymentName(name)) problems.Add($"{at}.name: '{name}' must be 2–64 letters, digits, '_', '.' or '-'");
            if (name is not null && result.Any(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase))) problems.Add($"{at}.name: '{name}' is used twice");
            if (!PolicyReader.IsSku(sku)) problems.Add($"{at}.sku: '{sku}' must be one of {PolicyReader.SkuList}");
            int capacity = 0;
            if (!item.TryGetProperty("capacity", out var capacityElement) || capacityElement.ValueKind != JsonValueKind.Number ||
                !capacityElement.TryGetInt32(out capacity) || capacity < 1 || capacity > 100000)
            {
                problems.Add($"{at}.capacity: required, a whole number from 1 to 100000 (thousands of tokens per minute)");
            }
            var upgrade = PolicyReader.String(item, "versionUpgradeOption", $"{at}.versionUpgradeOption", problems) ?? DeploymentPolicy.DefaultVersionUpgradeOption;
            if (!DeploymentPolicy.VersionUpgradeOptions.Contains(upgrade)) problems.Add($"{at}.versionUpgradeOption: '{upgrade}' must be one of {string.Join(", ", DeploymentPolicy.VersionUpgradeOptions)}");
            if (model is not null && version is not null && name is not null) result.Add(new DeploymentPolicy(name, model, version, sku, capacity, upgrade));
        }
        return result;
    }

    private static Dictionary<string, string> Tags(IReadOnlyDictionary<string, JsonElement> settings, string path, List<string> problems)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!settings.TryGetValue("requiredTags", out var element)) return tags;
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}.requiredTags: must be an object of tag name → value");
            return tags;
        }
        var count = 0;
        foreach (var tag in element.EnumerateObject())
        {
            count++;
            var at = $"{path}.requiredTags.{tag.Name}";
            if (tag.Name.Trim().Length == 0) problems.Add($"{path}.requiredTags: a tag name is empty; tag names are 1–512 characters");
            else if (tag.Name.StartsWith("foundry-", StringComparison.OrdinalIgnoreCase)) problems.Add($"{at}: tag names starting with 'foundry-' are reserved for Foundry");
            else if (tag.Name.Length > 512 || tag.Name.IndexOfAny("<>%&\\?/".ToCharArray()) >= 0) problems.Add($"{at}: tag names are 1–512 characters without < > % & \\ ? /");
            // Azure compares tag names case-insensitively: "Owner" and "owner" are one tag, and one value would be lost.
            // (A name written twice exactly is reported by the policy reader's duplicate check.)
            else if (tags.Keys.FirstOrDefault(k => k.Equals(tag.Name, StringComparison.OrdinalIgnoreCase)) is { } same && same != tag.Name)
            {
                problems.Add($"{at}: the same tag name as '{same}' (Azure tag names ignore case)");
            }
            if (tag.Value.ValueKind != JsonValueKind.String) problems.Add($"{at}: must be a string");
            else if (tag.Value.GetString()!.Length > 256) problems.Add($"{at}: tag values are at most 256 characters");
            else if (!tags.ContainsKey(tag.Name)) tags[tag.Name] = tag.Value.GetString()!;
        }
        if (count > MaxRequiredTags)
        {
            problems.Add($"{path}.requiredTags: {count} tags; at most {MaxRequiredTags} (Azure allows {MaxTagsPerResource} per resource and Foundry stamps up to {FoundryTagCount} of its own)");
        }
        return tags;
    }

    private static KeyVaultPolicy? Vault(IReadOnlyDictionary<string, JsonElement> settings, string path, List<string> problems)
    {
        if (!settings.TryGetValue("keyVault", out var element) || element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}.keyVault: required: {{\"create\": true}} or {{\"name\": …, \"resourceGroup\": …}} of an existing vault");
            return null;
        }
        PolicyReader.Unknown(element, $"{path}.keyVault", problems, "create", "name", "resourceGroup", "accessPolicies");
        var create = element.TryGetProperty("create", out var c) && c.ValueKind == JsonValueKind.True;
        var name = PolicyReader.String(element, "name", $"{path}.keyVault.name", problems);
        var group = PolicyReader.String(element, "resourceGroup", $"{path}.keyVault.resourceGroup", problems);
        if (create && name is not null) problems.Add($"{path}.keyVault: either create a vault or name an existing one, not both");
        if (!create && (name is null || group is null)) problems.Add($"{path}.keyVault: an existing vault needs both name and resourceGroup");
        if (name is not null && !PolicyReader.IsVaultName(name)) problems.Add($"{path}.keyVault.name: '{name}' must be 3–24 letters, digits and single hyphens, starting with a letter");
        var accessPolicies = PolicyReader.String(element, "accessPolicies", $"{path}.keyVault.accessPolicies", problems);
        var mode = accessPolicies switch
        {
            null or "add" => VaultAccessPolicyMode.Add,
            "refuse" => VaultAccessPolicyMode.Refuse,
            _ => (VaultAccessPolicyMode?)null,
        };
        if (mode is null) problems.Add($"{path}.keyVault.accessPolicies: '{accessPolicies}' must be \"add\" or \"refuse\"");
        if (create && accessPolicies is not null) problems.Add($"{path}.keyVault.accessPolicies: applies to an existing vault only (a vault Foundry creates uses RBAC)");
        return new KeyVaultPolicy(create, name, group, mode ?? VaultAccessPolicyMode.Add);
    }

    private static List<AppPolicy> Apps(IReadOnlyDictionary<string, JsonElement> settings, string path, List<string> problems)
    {
        var apps = new List<AppPolicy>();
        if (!settings.TryGetValue("apps", out var array)) return apps;
        if (array.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}.apps: must be an array");
            return apps;
        }
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{path}.apps[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{at}: must be an object");
                continue;
            }
            PolicyReader.Unknown(item, at, problems, "name", "resourceGroup", "keySetting", "endpointSetting", "deploymentSetting", "clientIdSetting", "shared");
            var name = PolicyReader.String(item, "name", $"{at}.name", problems, required: true);
            var group = PolicyReader.String(item, "resourceGroup", $"{at}.resourceGroup", problems, required: true);
            var key = PolicyReader.String(item, "keySetting", $"{at}.keySetting", problems) ?? "AZURE_OPENAI_API_KEY";
            var endpoint = PolicyReader.String(item, "endpointSetting", $"{at}.endpointSetting", problems) ?? "AZURE_OPENAI_ENDPOINT";
            var deployment = PolicyReader.String(item, "deploymentSetting", $"{at}.deploymentSetting", problems) ?? "AZURE_OPENAI_DEPLOYMENT";
            var clientId = PolicyReader.String(item, "clientIdSetting", $"{at}.clientIdSetting", problems) ?? "AZURE_CLIENT_ID";
            if (name is not null && !PolicyReader.IsSiteName(name)) problems.Add($"{at}.name: '{name}' is not a valid site name (2–60 letters, digits, hyphens)");
            if (group is not null && !PolicyReader.IsResourceGroupName(group)) problems.Add($"{at}.resourceGroup: '{group}' is not a valid resource group name");
            foreach (var (setting, field) in new[] { (key, "keySetting"), (endpoint, "endpointSetting"), (deployment, "deploymentSetting"), (clientId, "clientIdSetting") })
            {
                if (!PolicyReader.IsSettingName(setting)) problems.Add($"{at}.{field}: '{setting}' may hold only letters, digits, '_', '.' and '-'");
            }
            if (new[] { key, endpoint, deployment, clientId }.Distinct(StringComparer.OrdinalIgnoreCase).Count() < 4) problems.Add($"{at}: keySetting, endpointSetting, deploymentSetting and clientIdSetting must differ");
            var shared = false;
            if (item.TryGetProperty("shared", out var sharedValue))
            {
                if (sharedValue.ValueKind is JsonValueKind.True or JsonValueKind.False) shared = sharedValue.GetBoolean();
                else problems.Add($"{at}.shared: must be true or false");
            }
            if (name is not null && group is not null) apps.Add(new AppPolicy(name, group, key, endpoint, deployment, shared, clientId));
        }
        return apps;
    }

    private static PurgePolicy Purge(IReadOnlyDictionary<string, JsonElement> settings, string path, bool ephemeral, List<string> problems)
    {
        if (!settings.TryGetValue("purge", out var element)) return new PurgePolicy(ephemeral, ephemeral, false);
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}.purge: must be an object");
            return new PurgePolicy(ephemeral, ephemeral, false);
        }
        PolicyReader.Unknown(element, $"{path}.purge", problems, "account", "secret", "restoreSoftDeleted");
        bool Flag(string name, bool fallback) =>
            !element.TryGetProperty(name, out var v) ? fallback
            : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
            : Report($"{path}.purge.{name}: must be true or false", fallback);
        bool Report(string problem, bool fallback)
        {
            problems.Add(problem);
            return fallback;
        }
        return new PurgePolicy(Flag("account", ephemeral), Flag("secret", ephemeral), Flag("restoreSoftDeleted", false));
    }

    private static TimeSpan RefreshTimeout(IReadOnlyDictionary<string, JsonElement> settings, string path, List<string> problems)
    {
        if (!settings.TryGetValue("rotation", out var element)) return TimeSpan.FromMinutes(5);
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}.rotation: must be an object");
            return TimeSpan.FromMinutes(5);
        }
        PolicyReader.Unknown(element, $"{path}.rotation", problems, "refreshTimeoutSeconds");
        if (!element.TryGetProperty("refreshTimeoutSeconds", out var seconds)) return TimeSpan.FromMinutes(5);
        if (seconds.ValueKind != JsonValueKind.Number || !seconds.TryGetInt32(out var value) || value < 1 || value > 3600)
        {
            problems.Add($"{path}.rotation.refreshTimeoutSeconds: a whole number of seconds from 1 to 3600");
            return TimeSpan.FromMinutes(5);
        }
        return TimeSpan.FromSeconds(value);
    }

    private static RetirementPolicy Retirement(IReadOnlyDictionary<string, JsonElement> settings, string path, List<string> problems)
    {
        if (!settings.TryGetValue("retirement", out var element)) return new RetirementPolicy();
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}.retirement: must be an object");
            return new RetirementPolicy();
        }
        PolicyReader.Unknown(element, $"{path}.retirement", problems, "refuseWithinDays", "warnWithinDays");
        int Days(string name, int fallback)
        {
            if (!element.TryGetProperty(name, out var value)) return fallback;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var days) && days >= 0 && days <= 3650) return days;
            problems.Add($"{path}.retirement.{name}: a whole number of days from 0 to 3650");
            return fallback;
        }
        var refuse = Days("refuseWithinDays", RetirementPolicy.DefaultRefuseWithinDays);
        var warn = Days("warnWithinDays", Math.Max(refuse, RetirementPolicy.DefaultWarnWithinDays));
        if (warn < refuse) problems.Add($"{path}.retirement.warnWithinDays: {warn} is less than refuseWithinDays {refuse}; the warning window must hold the refusal window");
        return new RetirementPolicy(refuse, warn);
    }

    private static string? Text(IReadOnlyDictionary<string, JsonElement> settings, string name, string path, List<string> problems, bool required = false)
    {
        if (!settings.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) problems.Add($"{path}.{name}: required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            problems.Add($"{path}.{name}: must be a non-empty string");
            return null;
        }
        return value.GetString();
    }

    private static bool? Bool(IReadOnlyDictionary<string, JsonElement> settings, string name, string path, List<string> problems)
    {
        if (!settings.TryGetValue(name, out var value)) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        problems.Add($"{path}.{name}: must be true or false");
        return null;
    }

    private static List<string> Strings(IReadOnlyDictionary<string, JsonElement> settings, string name, string path, List<string> problems)
    {
        var result = new List<string>();
        if (!settings.TryGetValue(name, out var value)) return result;
        if (value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}.{name}: must be an array of strings");
            return result;
        }
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) result.Add(item.GetString()!);
            else problems.Add($"{path}.{name}: must be an array of strings");
        }
        return result;
    }
}
