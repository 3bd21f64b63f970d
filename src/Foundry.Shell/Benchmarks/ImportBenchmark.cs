using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Reflection.Emit;

namespace Foundry.Shell.Benchmarks;

/// <summary>
/// Cold Import-Module: each measurement is a new foundry-shell process that opens a runspace and times only the
/// Import-Module of Foundry's manifest, or of an empty binary module (one cmdlet, emitted into a temp folder).
/// </summary>
internal static class ImportBenchmark
{
    public static async Task<BenchmarkSection> RunAsync(int count)
    {
        var folder = Path.Combine(Path.GetTempPath(), "foundry-bench-empty-" + Guid.NewGuid().ToString("n"));
        var empty = EmitEmptyModule(folder);
        var foundry = ShellCommand.ModuleManifest();
        var foundryTimes = new List<double>();
        var emptyTimes = new List<double>();
        // Interleaved so that machine load drifts over both alike.
        for (var i = 0; i < count; i++)
        {
            foundryTimes.Add(await MeasureInChildAsync(foundry));
            emptyTimes.Add(await MeasureInChildAsync(empty));
        }
        Directory.Delete(folder, recursive: true);
        double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
        var ratio = Median(foundryTimes) / Median(emptyTimes);
        string Runs(List<double> values) => string.Join(", ", values.Select(v => (v * 1000).ToString("F0", CultureInfo.InvariantCulture)));
        var markdown = $"""
            ## Import-Module, cold (a new process per measurement, N = {count} each)

            `--benchmark import {count}`: each child foundry-shell opens a runspace, then times `Import-Module <manifest>` alone.

            | Module | Median (ms) | Runs (ms) |
            |---|---|---|
            | Foundry (`out/Foundry/Foundry.psd1`) | {Median(foundryTimes) * 1000:F0} | {Runs(foundryTimes)} |
            | Empty binary module (one cmdlet) | {Median(emptyTimes) * 1000:F0} | {Runs(emptyTimes)} |

            Foundry's cold import takes **{ratio:F2}×** the empty module's (goal ≤ 3×).
            """;
        return new BenchmarkSection(markdown, true);
    }

    /// <summary>The child's side: Import-Module timed in a fresh runspace; prints seconds.</summary>
    public static int MeasureInThisProcess(string manifest)
    {
        var session = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows()) session.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        using var runspace = RunspaceFactory.CreateRunspace(session);
        runspace.Open();
        using var powershell = PowerShell.Create(runspace);
        powershell.AddCommand("Import-Module").AddParameter("Name", manifest);
        var clock = Stopwatch.StartNew();
        powershell.Invoke();
        var seconds = clock.Elapsed.TotalSeconds;
        if (powershell.HadErrors)
        {
            foreach (var error in powershell.Streams.Error) Console.Error.WriteLine(error);
            return 1;
        }
        Console.WriteLine(seconds.ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    private static async Task<double> MeasureInChildAsync(string manifest)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(ImportBenchmark).Assembly.Location);
        start.ArgumentList.Add("--measure-import");
        start.ArgumentList.Add(manifest);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"Import-Module {manifest} failed in the child: {await errors}");
        return double.Parse((await output).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Writes EmptyBinaryModule.dll (one cmdlet, Get-Nothing) and its manifest; returns the manifest's path.</summary>
    private static string EmitEmptyModule(string folder)
    {
        Directory.CreateDirectory(folder);
        var assembly = new PersistedAssemblyBuilder(new AssemblyName("EmptyBinaryModule"), typeof(object).Assembly);
        var module = assembly.DefineDynamicModule("EmptyBinaryModule");
        var type = module.DefineType("EmptyBinaryModule.GetNothingCommand", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(PSCmdlet));
        type.SetCustomAttribute(new CustomAttributeBuilder(typeof(CmdletAttribute).GetConstructor(new[] { typeof(string), typeof(string) })!, new object[] { "Get", "Nothing" }));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        type.CreateType();
        assembly.Save(Path.Combine(folder, "EmptyBinaryModule.dll"));
        var manifest = Path.Combine(folder, "EmptyBinaryModule.psd1");
        File.WriteAllText(manifest, """
            @{
                RootModule = 'EmptyBinaryModule.dll'
                ModuleVersion = '1.0.0'
                GUID = 'a5f0c7d2-3b1e-4f6a-9c8d-000000000001'
                CmdletsToExport = @('Get-Nothing')
                FunctionsToExport = @()
                AliasesToExport = @()
                VariablesToExport = @()
            }
            """);
        return manifest;
    }
}
