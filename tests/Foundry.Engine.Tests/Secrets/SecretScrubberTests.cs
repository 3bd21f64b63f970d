using Foundry.Engine.Audit;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.Tests.Secrets;

public sealed class SecretScrubberTests
{
    private const string Key = "0123456789abcdef0123456789ABCDEF";

    [Fact]
    public void Whole_keys_and_any_fragment_of_eight_or_more_characters_are_masked()
    {
        var scrubber = new SecretScrubber();
        scrubber.Register(Key);
        Assert.Equal("key=[REDACTED];", scrubber.Scrub($"key={Key};"));
        Assert.Equal("prefix [REDACTED] suffix", scrubber.Scrub("prefix 89abcdef0 suffix"));
        Assert.Equal("seven 0123456 stays", scrubber.Scrub("seven 0123456 stays"));
        Assert.True(scrubber.Contains("xx456789abxx"));
        Assert.False(scrubber.Contains("nothing here"));
    }

    [Fact]
    public void Fingerprints_compare_keys_without_containing_them()
    {
        var fingerprint = KeyFingerprint.Of(Key);
        Assert.Equal(fingerprint, KeyFingerprint.Of(Key));
        Assert.NotEqual(fingerprint, KeyFingerprint.Of(Key.ToLowerInvariant()));
        Assert.Matches("^[0-9a-f]{12}$", fingerprint);
        var scrubber = new SecretScrubber();
        scrubber.Register(Key);
        Assert.False(scrubber.Contains(fingerprint));
        Assert.True(KeyFingerprint.Same(Key, string.Concat(Key)));
        Assert.False(KeyFingerprint.Same(Key, Key[..^1] + "0"));
    }

    [Fact]
    public void Audit_records_are_json_lines_scrubbed_before_the_file_and_the_observer()
    {
        var scrubber = new SecretScrubber();
        scrubber.Register(Key);
        var path = Path.Combine(Path.GetTempPath(), $"foundry-audit-{Guid.NewGuid():n}", "audit.jsonl");
        var observed = new List<AuditRecord>();
        var log = new AuditLog(path, observed.Add, scrubber);
        log.Write(new AuditRecord(DateTimeOffset.UnixEpoch, "dev", "RotateKey", "/subscriptions/s/x", "Succeeded", "run-1", $"new key {Key[..12]}"));
        log.Write(new AuditRecord(DateTimeOffset.UnixEpoch, "dev", "UpdateSecret", "/subscriptions/s/y", "Succeeded", "run-1"));

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain(Key[..8], File.ReadAllText(path));
        using var first = System.Text.Json.JsonDocument.Parse(lines[0]);
        Assert.Equal("RotateKey", first.RootElement.GetProperty("action").GetString());
        Assert.Equal("run-1", first.RootElement.GetProperty("correlationId").GetString());
        Assert.Equal("new key [REDACTED]", first.RootElement.GetProperty("detail").GetString());
        Assert.Equal("new key [REDACTED]", observed[0].Detail);
    }
}
