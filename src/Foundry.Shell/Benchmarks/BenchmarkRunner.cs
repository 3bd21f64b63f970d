namespace Foundry.Shell.Benchmarks;

/// <summary>One benchmark's part of the report: a markdown section and whether every run it made succeeded.</summary>
internal sealed record BenchmarkSection(string Markdown, bool Succeeded);

/// <summary>
/// Benchmarks that need a local cloud and the real module (not part of the test run). Each prints a markdown section
/// of figures measured in one run and writes it to out/benchmarks/; "all" runs every one into out/benchmarks/report.md.
/// </summary>
internal static class BenchmarkRunner
{
    private const string Known = "cleanup [COUNT], up, import [N], graph [COUNT], fleet [COUNT], cleanup-bucket [COUNT], all [CLEANUP-COUNT]";

    public static async Task<int> RunAsync(string name, string[] args, Func<string, IReadOnlyDictionary<string, object>?, int> execute)
    {
        if (name is "up" or "all") ResolveSdkFromModule();
        int Number(int fallback) => args.Length > 0 && int.TryParse(args[0], out var n) && n > 0 ? n : fallback;
        var sections = new List<(string File, BenchmarkSection Section)>();
        switch (name)
        {
            case "cleanup": sections.Add(("cleanup.md", await CleanupBenchmark.RunAsync(Number(1000), execute))); break;
            case "up": sections.Add(("up.md", await UpBenchmark.RunAsync(execute))); break;
            case "import": sections.Add(("import.md", await ImportBenchmark.RunAsync(Number(5)))); break;
            case "graph": sections.Add(("graph.md", await GraphBenchmark.RunAsync(Number(2500), execute))); break;
            case "cleanup-bucket": sections.Add(("cleanup-bucket.md", await CleanupBenchmark.RunAgainstDeleteBucketAsync(Number(1000), execute))); break;
            case "fleet": sections.Add(("fleet.md", await FleetBenchmark.RunAsync(Number(100), execute))); break;
            case "all":
                sections.Add(("up.md", await UpBenchmark.RunAsync(execute)));
                sections.Add(("import.md", await ImportBenchmark.RunAsync(5)));
                sections.Add(("cleanup.md", await CleanupBenchmark.RunAsync(Number(200), execute)));
                sections.Add(("graph.md", await GraphBenchmark.RunAsync(2500, execute)));
                break;
            default:
                Console.Error.WriteLine($"Unknown benchmark '{name}'. Known: {Known}.");
                return 2;
        }
        var output = Path.Combine(Environment.CurrentDirectory, "out", "benchmarks");
        Directory.CreateDirectory(output);
        foreach (var (file, section) in sections) await File.WriteAllTextAsync(Path.Combine(output, file), section.Markdown);
        var report = name == "all" ? Report(sections.Select(s => s.Section.Markdown), string.Join(" ", args)) : sections[0].Section.Markdown;
        if (name == "all") await File.WriteAllTextAsync(Path.Combine(output, "report.md"), report);
        Console.WriteLine(report);
        return sections.All(s => s.Section.Succeeded) ? 0 : 1;
    }

    /// <summary>
    /// The sequential-script baseline needs the Azure SDK, which the shell does not ship (see Foundry.Shell.csproj):
    /// it loads the module's own copies, and only in a benchmark run.
    /// </summary>
    private static void ResolveSdkFromModule()
    {
        var folder = Path.Combine(Path.GetDirectoryName(ShellCommand.ModuleManifest())!, "deps", "net8.0");
        System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, assembly) =>
            Path.Combine(folder, assembly.Name + ".dll") is var path && File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    }

    private static string Report(IEnumerable<string> sections, string arguments) =>
        $"""
        # Foundry benchmark report

        `dotnet run --project src/Foundry.Shell -c Release -- --benchmark all {arguments}`, measured {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC on
        {Environment.ProcessorCount} cores against the in-process local emulator. Absolute times are noisy on a shared machine;
        the ratios are what each benchmark reports, each from this one run.


        """ + string.Join(Environment.NewLine + Environment.NewLine, sections);
}
