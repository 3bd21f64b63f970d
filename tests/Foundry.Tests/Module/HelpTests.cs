using System.Text.RegularExpressions;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// A local cloud for the help examples: dev, staging and pr-123 stood up, and a working folder laid out as an operator's
/// (the policy as ./foundry.policy.json, ~/.foundry/local/connection.json, clean ./src, ./logs and ./web/dist) so the
/// examples run exactly as written.
/// </summary>
public sealed class HelpRunspace : IAsyncLifetime
{
    public ModuleRunspace Module { get; } = new();
    public string Workspace => Path.Combine(Module.Folder, "operator");

    public async Task InitializeAsync()
    {
        await Module.InitializeAsync();
        Directory.CreateDirectory(Path.Combine(Workspace, ".foundry", "local"));
        File.Copy(Module.PolicyPath, Path.Combine(Workspace, "foundry.policy.json"));
        File.Copy(Path.Combine(Module.Folder, "connection.json"), Path.Combine(Workspace, ".foundry", "local", "connection.json"));
        foreach (var (path, text) in new[]
        {
            ("src/app.py", "import os\nkey = os.environ['AZURE_OPENAI_API_KEY']\n"),
            ("logs/func.log", "12:00:01 info host started\n12:00:02 info chat completion 200\n"),
            ("web/dist/index.min.js", "!function(){fetch('/api/chat',{method:'POST'})}();\n"),
        })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(Workspace, path))!);
            File.WriteAllText(Path.Combine(Workspace, path), text);
        }
        // ~ and relative paths as on an operator's machine, without touching this process's HOME or current directory.
        var setup = Module.Invoke($"$ExecutionContext.SessionState.Provider.GetOne('FileSystem').Home = '{Workspace}'; $null = $ExecutionContext.SessionState.Path.SetLocation('{Workspace}'); " +
            "New-FoundryEnvironment -Environment dev; New-FoundryEnvironment -Environment staging; New-FoundryEnvironment -Environment pr-123");
        Assert.True(setup.Errors.Count == 0, string.Join("\n", setup.Errors));
    }

    public Task DisposeAsync() => Module.DisposeAsync();
}

/// <summary>Get-Help for every cmdlet: synopsis, every parameter, examples; and every runnable example runs without error.</summary>
[Collection(ModuleCollection.Name)]
public sealed class HelpTests(HelpRunspace help) : IClassFixture<HelpRunspace>
{
    /// <summary>The first line of an example that cannot run against the local cloud (it needs Az or a real subscription).</summary>
    public const string NotRunnableMarker = "# Not runnable here:";

    private static readonly string[] CommonParameters =
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable",
        "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
    };

    /// <summary>Every cmdlet of the manifest, and those other branches are adding (their help is written here already).</summary>
    public static TheoryData<string> Cmdlets()
    {
        var manifest = File.ReadAllText(ModuleRunspace.ManifestPath);
        var exports = Regex.Match(manifest, "CmdletsToExport\\s*=\\s*@\\((?<list>[^)]*)\\)").Groups["list"].Value;
        var names = Regex.Matches(exports, "'(?<name>[A-Za-z]+-[A-Za-z]+)'").Select(m => m.Groups["name"].Value).Distinct();
        var data = new TheoryData<string>();
        foreach (var name in names) data.Add(name);
        return data;
    }

    private ModuleRunspace Module => help.Module;

    [Fact]
    public void The_built_module_ships_the_MAML_file_at_its_root_for_both_editions()
    {
        var root = ModuleRunspace.Metadata("FoundryModuleOut");
        var maml = Path.Combine(root, "en-US", "Foundry.dll-Help.xml");
        Assert.True(File.Exists(maml), maml);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "bin"), "*-Help.xml", SearchOption.AllDirectories));
        var text = File.ReadAllText(maml);
        var exported = Cmdlets().Cast<object[]>().Select(row => (string)row[0]).OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (var name in exported) Assert.Contains($"<command:name>{name}</command:name>", text);
        // No help for a cmdlet the module does not export.
        var documented = Directory.EnumerateFiles(Path.Combine(DocsTests.RepoRoot, "docs", "en-US"), "*-*.md").Select(f => Path.GetFileNameWithoutExtension(f)).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(exported, documented);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Get_Help_shows_a_synopsis_a_description_every_parameter_and_an_example(string cmdlet)
    {
        var synopsis = Single($"(Get-Help {cmdlet}).Synopsis");
        Assert.False(string.IsNullOrWhiteSpace(synopsis));
        Assert.False(synopsis.TrimStart().StartsWith(cmdlet, StringComparison.OrdinalIgnoreCase), $"{cmdlet} has no help file entry (generated synopsis: {synopsis})");
        Assert.False(string.IsNullOrWhiteSpace(Single($"(Get-Help {cmdlet} -Full).description.Text -join ' '")));
        Assert.NotEmpty(Lines($"(Get-Help {cmdlet} -Examples).examples.example | ForEach-Object code"));

        var documented = Lines($"(Get-Help {cmdlet} -Full).parameters.parameter | Where-Object name | ForEach-Object {{ $_.name + '=' + $_.required }}").OrderBy(s => s).ToList();
        var actual = Lines($"(Get-Command {cmdlet}).Parameters.Values | ForEach-Object {{ $_.Name + '=' + ($_.ParameterSets.Values.IsMandatory -contains $true).ToString().ToLowerInvariant() }}")
            .Where(p => !CommonParameters.Contains(p.Split('=')[0])).OrderBy(s => s).ToList();
        Assert.Equal(actual, documented);
        Assert.All(Lines($"(Get-Help {cmdlet} -Full).parameters.parameter | Where-Object name | ForEach-Object {{ $_.name + '=' + ($_.description.Text -join ' ') }}"),
            p => Assert.False(p.EndsWith("=", StringComparison.Ordinal), $"{cmdlet} -{p.TrimEnd('=')} has no description"));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_runnable_example_runs_against_the_local_cloud_without_error(string cmdlet)
    {
        var examples = Module.Invoke($"(Get-Help {cmdlet} -Examples).examples.example | ForEach-Object {{ $_.title + [char]0 + $_.code }}").Output
            .Select(o => o.ToString().Split('\0')).Select(parts => (Title: parts[0].Trim('-', ' '), Code: parts[1])).ToList();
        Assert.NotEmpty(examples);
        var ran = 0;
        foreach (var (title, code) in examples)
        {
            if (code.TrimStart().StartsWith(NotRunnableMarker, StringComparison.Ordinal)) continue;
            var result = Module.Invoke(code);
            Module.Invoke("$ErrorActionPreference = 'Continue'");
            Assert.True(result.Errors.Count == 0, $"{cmdlet} {title}:\n{code}\n{string.Join("\n", result.Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}"))}");
            ran++;
        }
        Assert.True(ran > 0, $"{cmdlet} has no runnable example");
    }

    private string Single(string script) => string.Join("\n", Lines(script));

    private List<string> Lines(string script)
    {
        var result = Module.Invoke(script);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        return result.Output.Where(o => o is not null).Select(o => o.ToString()).ToList();
    }
}

/// <summary>Issue 14 item 11: Get-Help -Online resolves for every cmdlet (HelpUri and the MAML's online link agree, into the repository's docs), and the about topics ship.</summary>
[Collection(ModuleCollection.Name)]
public sealed class OnlineHelpTests : IDisposable
{
    private readonly Foundry.Tests.Operator.ScriptRunspace runspace = new();

    public void Dispose() => runspace.Dispose();

    private List<string> Run(string script)
    {
        using var powershell = System.Management.Automation.PowerShell.Create(runspace.Runspace);
        var output = powershell.AddScript(script).Invoke().Select(o => o?.ToString() ?? "").ToList();
        Assert.True(powershell.Streams.Error.Count == 0, string.Join("\n", powershell.Streams.Error));
        return output;
    }

    [Theory]
    [MemberData(nameof(HelpTests.Cmdlets), MemberType = typeof(HelpTests))]
    public void Every_cmdlet_has_an_online_help_URI_into_the_repository_docs(string cmdlet)
    {
        var lines = Run($"(Get-Command {cmdlet}).HelpUri; @((Get-Help {cmdlet} -Full).relatedLinks.navigationLink | Where-Object uri)[0].uri");
        var expected = $"https://github.com/contoso/foundry/blob/main/docs/en-US/{cmdlet}.md";
        Assert.Equal(new[] { expected, expected }, lines);
        Assert.True(File.Exists(Path.Combine(DocsTests.RepoRoot, "docs", "en-US", cmdlet + ".md")));
        // Every docs page the help links to exists in the repository.
        var links = Run($"(Get-Help {cmdlet} -Full).relatedLinks.navigationLink.uri | Where-Object {{ $_ -like '*/blob/main/*' }}");
        Assert.All(links, uri => Assert.True(File.Exists(Path.Combine(DocsTests.RepoRoot, uri.Substring(uri.IndexOf("/blob/main/", StringComparison.Ordinal) + 11))), uri));
    }

    [Theory]
    [InlineData("about_Foundry", "FOUNDRY_LOCAL_DIR")]
    [InlineData("about_Foundry_Policy", "environmentNamePattern")]
    public void The_about_topics_ship_in_the_module(string topic, string mentions)
    {
        Assert.True(File.Exists(Path.Combine(ModuleRunspace.Metadata("FoundryModuleOut"), "en-US", topic + ".help.txt")));
        var text = string.Join("\n", Run($"Get-Help {topic} | Out-String"));
        Assert.Contains(mentions, text, StringComparison.Ordinal);
    }
}
