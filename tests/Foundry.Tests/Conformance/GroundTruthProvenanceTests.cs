using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The recordings and specs in the repository are verbatim copies: each is listed in its folder's PROVENANCE.md (source,
/// commit, licence) with the size and hash it was copied with, and nothing is listed that is not there.
/// </summary>
public sealed class GroundTruthProvenanceTests
{
    [Theory]
    [InlineData("Recordings")]
    [InlineData("Specs")]
    public void Every_copied_file_is_listed_with_its_size_and_hash_and_every_listed_file_exists(string folder)
    {
        var root = Path.Combine(ModuleRunspace.Metadata("FoundryRepoRoot"), "tests", folder);
        var provenance = File.ReadAllText(Path.Combine(root, "PROVENANCE.md"));
        Assert.Contains("MIT licence", provenance);
        var listed = Regex.Matches(provenance, @"^\| `([^`]+)` \| ([\d,]+) \| `([0-9a-f]{16})` \|", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => (Bytes: long.Parse(m.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), Hash: m.Groups[3].Value));
        var copies = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => f is not ("PROVENANCE.md" or "example-replay.json"))
            .ToList();
        Assert.Equal(listed.Keys.Order(StringComparer.Ordinal), copies.Order(StringComparer.Ordinal));
        foreach (var copy in copies)
        {
            var bytes = File.ReadAllBytes(Path.Combine(root, copy));
            Assert.Equal((listed[copy].Bytes, listed[copy].Hash), ((long)bytes.Length, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant()[..16]));
        }
    }
}
