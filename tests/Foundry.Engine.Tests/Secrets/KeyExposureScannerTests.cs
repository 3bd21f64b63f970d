using Foundry.Engine.Secrets;

namespace Foundry.Engine.Tests.Secrets;

/// <summary>The file scan behind Find-FoundryKeyExposure, on a planted tree (no Azure).</summary>
public sealed class KeyExposureScannerTests : IDisposable
{
    private const string Key1 = "3f9a1c0e5b7d42a8906e1f2c3b4a5d6e";
    private const string Key2 = "c0ffee00deadbeef1234567890abcdef";
    private readonly string root = Path.Combine(Path.GetTempPath(), "foundry-scan-" + Guid.NewGuid().ToString("n"));

    public KeyExposureScannerTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Finds_each_key_in_an_env_file_a_log_line_and_a_minified_bundle_with_file_line_and_column()
    {
        var env = Write("app/.env", $"# local settings\nAZURE_OPENAI_ENDPOINT=https://x.openai.azure.com/\nAZURE_OPENAI_API_KEY={Key2}\n");
        var log = Write("logs/func-2026-12-01.log", $"12:00:01 info start\r\n12:00:02 warn retry with api-key: {Key1} header\r\n");
        var minified = new string('x', 5000) + $";const e=\"{Key2}\",t=fetch(u,{{headers:{{\"api-key\":e}}}});" + new string('y', 5000);
        var bundle = Write("web/dist/assets/index-4f2a.min.js", "/*! bundle */\n" + minified);
        Write("src/clean.cs", "var key = Environment.GetEnvironmentVariable(\"AZURE_OPENAI_API_KEY\");\n");
        Write(".git/objects/leak.txt", Key1);          // history is not the working tree
        File.WriteAllBytes(Path.Combine(root, "web", "logo.png"), new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 0 }.Concat(System.Text.Encoding.ASCII.GetBytes(Key1)).ToArray());

        var result = new KeyExposureScanner(Key1, Key2).Scan(new[] { root }, null, CancellationToken.None);

        var found = result.Findings.Select(f => (Path.GetRelativePath(root, f.Path).Replace('\\', '/'), f.Line, f.Column, f.KeySlot)).OrderBy(f => f.Item1).ToList();
        Assert.Equal(new[]
        {
            ("app/.env", 3, 22, "key2"),
            ("logs/func-2026-12-01.log", 2, 35, "key1"),
            ("web/dist/assets/index-4f2a.min.js", 2, 5011, "key2"),
        }, found);
        Assert.Equal(4, result.FilesScanned);
        Assert.Equal(new[] { "logo.png" }, result.FilesSkipped.Select(Path.GetFileName));
        Assert.Equal("AZURE_OPENAI_API_KEY=[REDACTED key2]", result.Findings.Single(f => f.Path == env).Preview);
        var bundlePreview = result.Findings.Single(f => f.Path == bundle).Preview;
        Assert.StartsWith("…", bundlePreview);
        Assert.Contains(";const e=\"[REDACTED key2]\",t=fetch", bundlePreview);
        Assert.True(bundlePreview.Length < 140, bundlePreview);
        Assert.Contains("[REDACTED key1]", result.Findings.Single(f => f.Path == log).Preview);
        AssertNoFragment(result.Findings.Select(f => f.Preview + f.Path));
    }

    [Fact]
    public void A_clean_tree_gives_nothing_and_a_missing_path_is_an_argument_error()
    {
        Write("src/app.js", "export const endpoint = process.env.AZURE_OPENAI_ENDPOINT;\n");
        Write("logs/a.log", $"truncated key {Key1.Substring(0, 12)} is not the key\n");
        var scanner = new KeyExposureScanner(Key1, Key2);

        var result = scanner.Scan(new[] { root }, null, CancellationToken.None);

        Assert.Empty(result.Findings);
        Assert.Equal(2, result.FilesScanned);
        Assert.Throws<ArgumentException>(() => scanner.Scan(new[] { Path.Combine(root, "nope") }, null, CancellationToken.None));
    }

    [Fact]
    public void Previews_leave_no_fragment_of_either_key_even_where_the_window_cuts_through_a_key()
    {
        // Key1 found; key2 starts just inside the 40-character context: cutting there would keep part of key2.
        var line = $"a={Key1}" + new string(' ', 36) + Key2 + "tail" + Key2.Substring(0, 10);
        var path = Write("one.txt", line + "\n");
        var result = new KeyExposureScanner(Key1, Key2).Scan(new[] { path }, null, CancellationToken.None);

        Assert.Equal(new[] { "key1", "key2" }, result.Findings.Select(f => f.KeySlot));
        Assert.All(result.Findings, f => Assert.Contains("[REDACTED key2]", f.Preview));
        AssertNoFragment(result.Findings.Select(f => f.Preview));
    }

    [Fact]
    public void Oversized_files_are_skipped_and_utf16_logs_are_read()
    {
        var big = Write("big.log", new string('z', 2048) + Key1);
        var utf16 = Path.Combine(root, "windows.log");
        File.WriteAllText(utf16, $"line one\r\nkey {Key2}\r\n", System.Text.Encoding.Unicode);

        var result = new KeyExposureScanner(Key1, Key2, maxFileBytes: 1024).Scan(new[] { root }, null, CancellationToken.None);

        Assert.Equal(new[] { big }, result.FilesSkipped);
        Assert.Equal(("key2", 2, 5), result.Findings.Select(f => (f.KeySlot, f.Line, f.Column)).Single());
    }

    private static void AssertNoFragment(IEnumerable<string> texts)
    {
        var all = string.Join("\n", texts);
        foreach (var key in new[] { Key1, Key2 })
        {
            for (var i = 0; i + 8 <= key.Length; i++) Assert.DoesNotContain(key.Substring(i, 8), all, StringComparison.Ordinal);
        }
    }
}
