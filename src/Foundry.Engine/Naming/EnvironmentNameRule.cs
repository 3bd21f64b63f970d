using System.Text.RegularExpressions;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Naming;

/// <summary>
/// Which -Environment values a command accepts: those matching the policy's environmentNamePattern (the default when
/// no policy says otherwise) that Foundry can also name resources after (<see cref="ResourceNames.IsEnvironmentName"/>).
/// Checked before any Azure call, so a bad name fails with one stable error id instead of a raw regex message.
/// </summary>
public static class EnvironmentNameRule
{
    /// <summary>Error id: the name does not match the policy's pattern or cannot name resources.</summary>
    public const string EnvironmentNameInvalid = nameof(EnvironmentNameInvalid);

    /// <summary>Throws <see cref="EnvironmentNameInvalid"/> unless <paramref name="environment"/> is acceptable under <paramref name="policy"/> (null: the default pattern).</summary>
    public static void Validate(FoundryPolicy? policy, string? environment)
    {
        var pattern = policy?.EnvironmentNamePattern ?? FoundryPolicy.DefaultEnvironmentNamePattern;
        var source = policy?.SourcePath is { } path ? $"policy '{path}'" : policy is null ? "the default policy pattern" : "the policy";
        var shown = environment is null ? "(none)" : Shown(environment);
        if (string.IsNullOrEmpty(environment) || !Matches(pattern, environment!))
        {
            throw new FoundryEngineException(FailureKind.InvalidRequest, EnvironmentNameInvalid,
                $"'{shown}' is not an environment name: it does not match environmentNamePattern '{pattern}' of {source}.",
                "Use an environment the policy defines (Get-FoundryEnvironment lists them; -Environment tab-completes), or widen environmentNamePattern in the policy (docs/policy.md).",
                target: environment);
        }
        if (!ResourceNames.IsEnvironmentName(environment!))
        {
            throw new FoundryEngineException(FailureKind.InvalidRequest, EnvironmentNameInvalid,
                $"'{shown}' matches environmentNamePattern '{pattern}', but Foundry names resources after environments and accepts only dev, staging, prod or pr-<1 to 7 digits>.",
                "Use dev, staging, prod or pr-<number>, and narrow environmentNamePattern in the policy to names of that shape (docs/policy.md).",
                target: environment);
        }
    }

    private static bool Matches(string pattern, string environment)
    {
        try
        {
            return Regex.IsMatch(environment, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    // A name is shown escaped: control characters (a trailing newline, an escape sequence) must not reach the terminal raw.
    private static string Shown(string environment)
    {
        var text = environment.Length > 64 ? environment.Substring(0, 64) + "…" : environment;
        return Regex.Replace(text, @"[\p{Cc}]", m => $"\\u{(int)m.Value[0]:x4}");
    }
}
