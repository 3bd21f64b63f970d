using System.Text.RegularExpressions;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>docs/troubleshooting.md explains every error id the code can raise.</summary>
public sealed class DocsTests
{
    private static readonly Regex NameofConstant = new("const string (?<id>\\w+) = nameof\\(\\k<id>\\)", RegexOptions.CultureInvariant);
    private static readonly Regex LiteralId = new("FoundryEngineException\\(\\s*FailureKind\\.\\w+,\\s*\"(?<id>[A-Za-z]+)\"|\"(?<id>[A-Za-z]+)\",\\s*ErrorCategory\\.", RegexOptions.CultureInvariant);

    internal static string RepoRoot => Path.GetFullPath(Path.Combine(ModuleRunspace.Metadata("FoundryModuleOut"), "..", ".."));

    private static IEnumerable<string> Matches(Regex regex, string text) => regex.Matches(text).Select(m => m.Groups["id"].Value);

    [Fact]
    public void Troubleshooting_lists_every_ErrorIds_constant_and_every_other_error_id_in_the_sources()
    {
        var errorIdsFiles = new[] { "src/Foundry/Internal/ErrorIds.cs", "src/Foundry.Engine/Errors/ErrorIds.cs" };
        var constants = errorIdsFiles.SelectMany(f => Matches(NameofConstant, File.ReadAllText(Path.Combine(RepoRoot, f)))).ToList();
        Assert.Contains("KeyExposed", constants);
        Assert.Contains("QuotaExhausted", constants);

        // Ids raised outside those files: the engine's id constants (KeyRotator.KeyRotationUnsafe, ...) and literals.
        var sources = Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).ToList();
        // Check names (EnvironmentCheck.cs) are not error ids: docs/drift.md lists those (tested below).
        var others = sources.Where(f => f.Contains($"Foundry.Engine{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && Path.GetFileName(f) != "EnvironmentCheck.cs")
            .SelectMany(f => Matches(NameofConstant, File.ReadAllText(f)))
            .Concat(sources.SelectMany(f => Matches(LiteralId, File.ReadAllText(f)))).ToList();
        Assert.Contains("KeyRotationUnsafe", others);
        Assert.Contains("SecretOutOfStep", others);

        var troubleshooting = File.ReadAllText(Path.Combine(RepoRoot, "docs", "troubleshooting.md"));
        Assert.Empty(constants.Concat(others).Distinct().Where(id => !troubleshooting.Contains($"`{id}`", StringComparison.Ordinal)).OrderBy(id => id));
    }

    [Fact]
    public void Drift_docs_and_the_Test_FoundryEnvironment_help_name_every_check()
    {
        var checks = Matches(NameofConstant, File.ReadAllText(Path.Combine(RepoRoot, "src", "Foundry.Engine", "Environments", "Inspection", "EnvironmentCheck.cs"))).ToList();
        Assert.Contains("ChatCompletion", checks);
        var drift = File.ReadAllText(Path.Combine(RepoRoot, "docs", "drift.md"));
        var help = File.ReadAllText(Path.Combine(RepoRoot, "docs", "en-US", "Test-FoundryEnvironment.md"));
        var undocumented = checks.Where(c => !drift.Contains($"`{c}`", StringComparison.Ordinal) || !Regex.IsMatch(help, $"\\b{c}\\b")).ToList();
        Assert.True(undocumented.Count == 0, "checks missing from docs/drift.md or the help: " + string.Join(", ", undocumented));
    }
}
