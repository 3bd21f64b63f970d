namespace Foundry.Commands;

/// <summary>The environment names the cmdlets accept by default: dev, staging, pr-&lt;digits&gt;.</summary>
internal static class EnvironmentName
{
    /// <remarks>Anchored with \z: .NET's $ also matches before a final newline, which would let "pr-1\n" through.</remarks>
    public const string Pattern = "^(dev|staging|pr-[0-9]{1,7})\\z";

    /// <summary>Case matters: resource names and tags carry the environment verbatim (ValidatePattern ignores case by default).</summary>
    public const System.Text.RegularExpressions.RegexOptions Options = System.Text.RegularExpressions.RegexOptions.None;
}
