using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Foundry.Engine.Naming;

/// <summary>
/// Deterministic names for one environment's resources (same inputs → same names, so a re-run finds what the last
/// run made). Prefixes follow the Cloud Adoption Framework abbreviations (rg, oai/ais, kv). Globally unique names
/// (account custom subdomain, vault) carry a short hash of subscription, app and environment, so pr-1 and pr-1000
/// never collide and two subscriptions using the same policy do not fight over one name.
/// </summary>
public sealed class ResourceNames
{
    private static readonly Regex EnvironmentShape = new(@"^(dev|staging|prod|pr-[0-9]{1,7})\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex AppShape = new("^[a-z][a-z0-9]{1,15}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private ResourceNames(string resourceGroup, string account, string keyVault, string hash)
    {
        ResourceGroup = resourceGroup;
        Account = account;
        CustomSubdomain = account;
        KeyVault = keyVault;
        Hash = hash;
    }

    /// <summary>rg-{app}-{env}.</summary>
    public string ResourceGroup { get; }

    /// <summary>{oai|ais}-{app}-{env}-{hash6}: 2–64 characters, letters, digits and hyphens.</summary>
    public string Account { get; }

    /// <summary>The account's custom subdomain (the same as its name; it is globally unique and cannot change).</summary>
    public string CustomSubdomain { get; }

    /// <summary>kv-{app≤6}-{env≤8}-{hash5}: at most 24 characters, starts with a letter, no double hyphens.</summary>
    public string KeyVault { get; }

    /// <summary>The stable hash the global names carry.</summary>
    public string Hash { get; }

    /// <summary>
    /// Names for <paramref name="environment"/> of <paramref name="app"/> in <paramref name="subscriptionId"/>.
    /// <paramref name="accountKind"/> is OpenAI (prefix oai) or AIServices (prefix ais).
    /// </summary>
    public static ResourceNames For(string app, string environment, string subscriptionId, string accountKind = "OpenAI")
    {
        if (app is null || !AppShape.IsMatch(app))
        {
            throw new ArgumentException($"The app name '{app}' must be 2–16 lower-case letters and digits, starting with a letter.", nameof(app));
        }
        if (environment is null || !EnvironmentShape.IsMatch(environment))
        {
            throw new ArgumentException($"The environment name '{environment}' must be dev, staging, prod or pr-<digits>.", nameof(environment));
        }
        if (string.IsNullOrWhiteSpace(subscriptionId)) throw new ArgumentException("A subscription id is required.", nameof(subscriptionId));

        var hash = Hash6($"{subscriptionId.Trim().ToLowerInvariant()}/{app}/{environment}");
        var prefix = accountKind.Equals("AIServices", StringComparison.OrdinalIgnoreCase) ? "ais" : "oai";
        var compactEnvironment = environment.Replace("-", "");
        var vault = $"kv-{Truncate(app, 6)}-{Truncate(compactEnvironment, 8)}-{hash.Substring(0, 5)}";
        return new ResourceNames($"rg-{app}-{environment}", $"{prefix}-{app}-{environment}-{hash}", vault, hash);
    }

    /// <summary>Whether resources can be named after <paramref name="environment"/>: dev, staging, prod or pr-&lt;1 to 7 digits&gt;.</summary>
    public static bool IsEnvironmentName(string environment) => environment is not null && EnvironmentShape.IsMatch(environment);

    /// <summary>A role assignment name (a GUID) derived from scope, principal and role, so re-runs reuse it.</summary>
    public static Guid RoleAssignmentName(string scope, string principalId, string roleDefinitionGuid)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes($"{scope.ToLowerInvariant()}|{principalId.ToLowerInvariant()}|{roleDefinitionGuid.ToLowerInvariant()}"));
        var guid = new byte[16];
        Array.Copy(bytes, guid, 16);
        guid[7] = (byte)((guid[7] & 0x0F) | 0x50); // version 5-style, name-based
        guid[8] = (byte)((guid[8] & 0x3F) | 0x80);
        return new Guid(guid);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value.Substring(0, length);

    private static string Hash6(string input)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(input));
        var builder = new StringBuilder(6);
        for (var i = 0; i < 3; i++) builder.Append(bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return builder.ToString();
    }
}
