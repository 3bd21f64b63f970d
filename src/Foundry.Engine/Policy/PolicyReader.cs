using System.Text.Json;
using System.Text.RegularExpressions;

namespace Foundry.Engine.Policy;

/// <summary>
/// Reads and validates a policy file before any Azure call. Every problem is reported with its JSON path
/// (environments.dev.deployments[0].capacity) in one error, unknown properties included, so a typo never
/// silently falls back to a default.
/// </summary>
public static class PolicyReader
{
    /// <summary>Error id when the file is missing or unreadable.</summary>
    public const string PolicyNotFound = nameof(PolicyNotFound);
    /// <summary>Error id when the file has problems.</summary>
    public const string PolicyInvalid = nameof(PolicyInvalid);

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private static readonly Regex Region = new("^[a-z][a-z0-9]{2,30}$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex SecretName = new("^[0-9a-zA-Z-]{1,127}$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex DeploymentName = new("^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex VaultName = new("^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex SiteName = new("^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex SettingName = new("^[A-Za-z0-9_.-]{1,256}$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex ResourceGroupName = new(@"^[-\w\._\(\)]{1,90}$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly Regex AppName = new("^[a-z][a-z0-9]{1,15}$", RegexOptions.CultureInvariant, RegexTimeout);
    private static readonly string[] Skus = { "Standard", "GlobalStandard", "DataZoneStandard", "ProvisionedManaged", "GlobalProvisionedManaged", "DataZoneProvisionedManaged" };
    private static readonly string[] EnvironmentProperties =
    {
        "subscriptionId", "location", "fallbackLocations", "accountKind", "deployments", "requiredTags", "keyVault",
        "secretName", "apps", "ephemeral", "purge", "rotation", "retirement", "auth",
    };

    /// <summary>Reads the policy file at <paramref name="path"/>.</summary>
    public static FoundryPolicy Read(string path)
    {
        string json;
        try
        {
            json = ReadBounded(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FoundryEngineException(FailureKind.InvalidRequest, PolicyNotFound, $"The policy file '{path}' could not be read: {e.Message}",
                "Pass -PolicyPath with the path of a Foundry policy file, or set FOUNDRY_POLICY (see docs/policy.md).", target: path, inner: e);
        }
        return Parse(json, path);
    }

    /// <summary>The largest policy file read (1 MiB): a real policy is a few kilobytes.</summary>
    public const int MaxPolicyBytes = 1024 * 1024;

    /// <summary>
    /// Reads at most <see cref="MaxPolicyBytes"/> and fails past them, whatever the file claims its length is: a
    /// character device (/dev/zero) or a pipe has none, and File.ReadAllText would grow without bound on it.
    /// </summary>
    private static string ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        using var content = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (content.Length + read > MaxPolicyBytes)
            {
                throw new FoundryEngineException(FailureKind.InvalidRequest, PolicyInvalid,
                    $"The policy file '{path}' is larger than {MaxPolicyBytes / 1024 / 1024} MiB; a policy is a few kilobytes, so this is not one (read stopped there).",
                    "Pass -PolicyPath (or set FOUNDRY_POLICY) with the path of the Foundry policy file (see docs/policy.md).", target: path);
            }
            content.Write(chunk, 0, read);
        }
        content.Position = 0;
        using var reader = new StreamReader(content, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Parses and validates policy JSON (comments and trailing commas allowed).</summary>
    public static FoundryPolicy Parse(string json, string? sourcePath = null)
    {
        var problems = new List<string>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw Invalid(sourcePath, new[] { $"(file): not valid JSON — {e.Message}" });
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid(sourcePath, new[] { "(root): must be a JSON object" });
            Unknown(root, "", problems, "$schema", "app", "environmentNamePattern", "defaults", "environments");
            Duplicates(root, "", problems);

            var app = String(root, "app", "app", problems, required: true);
            if (app is not null && !AppName.IsMatch(app)) problems.Add($"app: '{app}' must be 2–16 lower-case letters and digits, starting with a letter");
            var pattern = String(root, "environmentNamePattern", "environmentNamePattern", problems) ?? FoundryPolicy.DefaultEnvironmentNamePattern;
            Regex? namePattern = null;
            try
            {
                namePattern = new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException)
            {
                problems.Add($"environmentNamePattern: '{pattern}' is not a valid regular expression");
            }

            var defaults = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (root.TryGetProperty("defaults", out var defaultsElement))
            {
                if (defaultsElement.ValueKind != JsonValueKind.Object) problems.Add("defaults: must be an object");
                else
                {
                    Unknown(defaultsElement, "defaults", problems, EnvironmentProperties);
                    foreach (var property in defaultsElement.EnumerateObject()) defaults[property.Name] = property.Value;
                }
            }

            var environments = new Dictionary<string, EnvironmentPolicy>(StringComparer.Ordinal);
            if (!root.TryGetProperty("environments", out var environmentsElement) || environmentsElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add("environments: required, an object of environment name → settings");
            }
            else
            {
                foreach (var entry in environmentsElement.EnumerateObject())
                {
                    var path = $"environments.{entry.Name}";
                    var isTemplate = entry.Name.EndsWith("*", StringComparison.Ordinal);
                    if (!isTemplate && namePattern is not null && !Matches(namePattern, entry.Name, pattern, problems))
                    {
                        problems.Add($"{path}: the name does not match environmentNamePattern '{pattern}'");
                    }
                    if (entry.Value.ValueKind != JsonValueKind.Object)
                    {
                        problems.Add($"{path}: must be an object");
                        continue;
                    }
                    Unknown(entry.Value, path, problems, EnvironmentProperties);
                    var merged = new Dictionary<string, JsonElement>(defaults, StringComparer.Ordinal);
                    var own = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var property in entry.Value.EnumerateObject())
                    {
                        merged[property.Name] = property.Value;
                        own.Add(property.Name);
                    }
                    var before = problems.Count;
                    var environment = EnvironmentSettingsReader.Read(merged, path, isTemplate || entry.Name.StartsWith("pr-", StringComparison.Ordinal), problems);
                    AttributeToDefaults(problems, before, path, own, defaults.Keys);
                    if (environment is not null) environments[entry.Name] = environment;
                }
                if (environments.Count == 0 && problems.Count == 0) problems.Add("environments: at least one environment is required");
            }

            if (problems.Count > 0) throw Invalid(sourcePath, problems.Distinct(StringComparer.Ordinal));
            return new FoundryPolicy(app!, pattern, environments, sourcePath);
        }
    }

    /// <summary>
    /// A problem in a property the environment inherits is reported where it is written (defaults.x), not under
    /// every environment that inherits it.
    /// </summary>
    private static void AttributeToDefaults(List<string> problems, int from, string path, HashSet<string> own, IEnumerable<string> inherited)
    {
        var fromDefaults = inherited.Where(name => !own.Contains(name)).ToList();
        for (var i = from; i < problems.Count; i++)
        {
            foreach (var name in fromDefaults)
            {
                var prefix = $"{path}.{name}";
                if (problems[i].StartsWith(prefix, StringComparison.Ordinal) && problems[i].Length > prefix.Length && problems[i][prefix.Length] is '.' or '[' or ':')
                {
                    problems[i] = "defaults." + problems[i].Substring(path.Length + 1);
                }
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="name"/> matches; a match that runs past the timeout (a pattern that backtracks
    /// catastrophically, such as nested quantifiers) is a policy problem, reported once, not a crash.
    /// </summary>
    private static bool Matches(Regex namePattern, string name, string pattern, List<string> problems)
    {
        try
        {
            return namePattern.IsMatch(name);
        }
        catch (RegexMatchTimeoutException)
        {
            var problem = $"environmentNamePattern: '{pattern}' took longer than {RegexTimeout.TotalSeconds:0} s to match '{name}' " +
                          "(it backtracks catastrophically: avoid nested quantifiers such as (a+)+ and alternatives that overlap)";
            if (!problems.Contains(problem)) problems.Add(problem);
            return true;
        }
    }

    /// <summary>
    /// Names written twice in one object. JSON readers keep one of them silently (the last), so a second "dev"
    /// would replace the first without a word. System.Text.Json's own check (AllowDuplicateProperties = false)
    /// names neither the object nor the line, so the walk is ours: it reports the path, like every other problem.
    /// </summary>
    private static void Duplicates(JsonElement element, string path, List<string> problems)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray()) Duplicates(item, $"{path}[{index++}]", problems);
            return;
        }
        if (element.ValueKind != JsonValueKind.Object) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name)) problems.Add($"{(path.Length == 0 ? "(root)" : path)}: '{property.Name}' is written more than once (each name may appear once)");
            Duplicates(property.Value, Join(path, property.Name), problems);
        }
    }

    internal static FoundryEngineException Invalid(string? sourcePath, IEnumerable<string> problems)
    {
        var list = problems.ToList();
        var where = sourcePath is null ? "The policy" : $"The policy file '{sourcePath}'";
        return new FoundryEngineException(FailureKind.InvalidRequest, PolicyInvalid,
            $"{where} has {list.Count} problem(s):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", list)}",
            "Fix the fields named above (the JSON schema foundry.policy.schema.json in the module folder helps editors check them), then run again.",
            target: sourcePath);
    }

    internal static void Unknown(JsonElement element, string path, List<string> problems, params string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                problems.Add($"{Join(path, property.Name)}: unknown property (expected one of {string.Join(", ", known)})");
            }
        }
    }

    internal static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    internal static string? String(JsonElement parent, string name, string path, List<string> problems, bool required = false)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) problems.Add($"{path}: required");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            problems.Add($"{path}: must be a non-empty string");
            return null;
        }
        return value.GetString();
    }

    internal static bool IsRegion(string value) => Region.IsMatch(value);
    internal static bool IsSecretName(string value) => SecretName.IsMatch(value);
    internal static bool IsDeploymentName(string value) => DeploymentName.IsMatch(value);
    internal static bool IsVaultName(string value) => VaultName.IsMatch(value);
    internal static bool IsSiteName(string value) => SiteName.IsMatch(value);
    internal static bool IsSettingName(string value) => SettingName.IsMatch(value);
    internal static bool IsResourceGroupName(string value) => ResourceGroupName.IsMatch(value) && !value.EndsWith(".", StringComparison.Ordinal);
    internal static bool IsSku(string value) => Skus.Contains(value, StringComparer.Ordinal);
    internal static string SkuList => string.Join(", ", Skus);
}
