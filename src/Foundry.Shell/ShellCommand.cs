using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.Loader;
using Foundry.Emulator;
using Foundry.Emulator.Hosting;

namespace Foundry.Shell;

/// <summary>
/// What `pwsh -c` does where pwsh exists: runs one PowerShell command line in the real PowerShell engine with Foundry
/// imported. In local mode (the default without FOUNDRY_CLOUD) it first starts the local Azure emulator in this process,
/// with its state in a file, so separate runs (up now, down later) share one local cloud; a run that finds another
/// process already running the emulator on that folder joins it instead (see LocalCloudFolder).
/// </summary>
internal static class ShellCommand
{
    private const string Usage = """
        usage: foundry-shell [--local | --azure | --emulator] [--profile fast|realistic] [--time-scale X] [--state-dir DIR] [--preload DLL]... [--] <PowerShell command line>
          --local      start the local Azure emulator in-process (default unless FOUNDRY_CLOUD names a cloud)
          --azure      use the cloud named by FOUNDRY_CLOUD (AzureCloud by default) with Azure.Identity's credential chain
          --emulator   only run the local emulator until Ctrl+C (prints its connection file for pwsh users); waits while
                       another process runs the emulator on the same state folder
          --profile    how hard the local cloud is: fast (no delays, the default) or realistic (Azure's RBAC propagation,
                       Resource Graph lag, Key Vault delete/purge windows); FOUNDRY_EMULATOR_PROFILE. See docs/emulator.md
          --time-scale local duration = Azure duration x this (realistic: 0.1 by default); FOUNDRY_EMULATOR_TIME_SCALE
          --state-dir  where the local cloud keeps state.json and connection.json (FOUNDRY_LOCAL_DIR, else ~/.foundry/local)
          --preload    load an assembly into the default load context first (simulates Az.Accounts' Azure.Core)
          --benchmark cleanup [COUNT]   Remove-FoundryManagedResource on COUNT resources (default 1000) with 20% of deletes throttled
          --benchmark up                up on an empty env with Azure-like operation durations: vs the critical path, vs a sequential SDK script
          --benchmark import [N]        cold Import-Module of Foundry vs an empty binary module, N child processes each (default 5)
          --benchmark graph [COUNT]     Get-FoundryManagedResource over COUNT resources in 3 subscriptions (default 2500)
          --benchmark all [COUNT]       all of the above into out/benchmarks/report.md, cleanup at COUNT resources (default 200)
        """;

    /// <summary>How long a run waits for another process's emulator on the same folder to finish starting or stopping.</summary>
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(string[] args)
    {
        var mode = Environment.GetEnvironmentVariable("FOUNDRY_CLOUD") is { Length: > 0 } cloud && !cloud.Equals("Local", StringComparison.OrdinalIgnoreCase) ? "azure" : "local";
        var stateDir = Environment.GetEnvironmentVariable("FOUNDRY_LOCAL_DIR") is { Length: > 0 } dir ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".foundry", "local");
        var profile = Environment.GetEnvironmentVariable(Foundry.Emulator.Realism.RealismProfile.ProfileVariable);
        var timeScale = Environment.GetEnvironmentVariable(Foundry.Emulator.Realism.RealismProfile.TimeScaleVariable);
        var i = 0;
        for (; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--local": mode = "local"; continue;
                case "--azure": mode = "azure"; continue;
                case "--emulator": mode = "emulator"; continue;
                case "--benchmark" when i + 1 < args.Length: return await Benchmarks.BenchmarkRunner.RunAsync(args[++i], args.Skip(i + 1).ToArray(), Execute);
                case "--measure-import" when i + 1 < args.Length: return Benchmarks.ImportBenchmark.MeasureInThisProcess(args[++i]);
                case "--state-dir" when i + 1 < args.Length: stateDir = args[++i]; continue;
                case "--profile" when i + 1 < args.Length: profile = args[++i]; continue;
                case "--time-scale" when i + 1 < args.Length: timeScale = args[++i]; continue;
                case "--preload" when i + 1 < args.Length: AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.GetFullPath(args[++i])); continue;
                case "--help" or "-h": Console.WriteLine(Usage); return 0;
                case "--": i++; break;
            }
            break;
        }
        var commandLine = string.Join(" ", args.Skip(i));
        if (mode != "emulator" && commandLine.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        Foundry.Emulator.Realism.RealismProfile realism;
        try
        {
            realism = string.IsNullOrWhiteSpace(profile) ? Foundry.Emulator.Realism.RealismProfile.Fast
                : Foundry.Emulator.Realism.RealismProfile.Named(profile, Foundry.Emulator.Realism.RealismProfile.ParseScale(timeScale));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        LocalCloudFolder? localCloud = null;
        using var stop = mode == "emulator" ? new StopSignal() : null;
        try
        {
            if (mode is "local" or "emulator")
            {
                // One emulator per state folder: a second run joins the first one's (two would each save their own
                // copy of state.json and the last to save would drop the other's environments).
                localCloud = await LocalCloudFolder.OpenAsync(stateDir, new EmulatorOptions { RecordRequests = false, Realism = realism }, mustOwn: mode == "emulator", JoinTimeout,
                    notice: message => Console.Error.WriteLine(message));
                Environment.SetEnvironmentVariable("FOUNDRY_CLOUD", "Local");
                Environment.SetEnvironmentVariable("FOUNDRY_EMULATOR_CONNECTION", localCloud.ConnectionFile);
                await DemoSeed.EnsureAppsOfPolicyAsync(localCloud, PolicyPath());
                if (mode == "emulator") return await ServeAsync(localCloud.Host!, localCloud.ConnectionFile, stop!);
            }
            Environment.SetEnvironmentVariable("FOUNDRY_POLICY", PolicyPath());
            return Execute(commandLine, null);
        }
        catch (Exception e) when (e is TimeoutException or HttpRequestException)
        {
            Console.Error.WriteLine($"ERROR: {e.Message}");
            return 1;
        }
        finally
        {
            if (localCloud is not null) await localCloud.DisposeAsync();
        }
    }


    internal static int Execute(string commandLine, IReadOnlyDictionary<string, object>? variables)
    {
        var session = InitialSessionState.CreateDefault2();
        foreach (var (name, value) in variables ?? new Dictionary<string, object>()) session.Variables.Add(new SessionStateVariableEntry(name, value, ""));
        if (OperatingSystem.IsWindows()) session.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        session.ImportPSModule(typeof(Microsoft.PowerShell.Commands.GetFormatDataCommand).Assembly.Location);
        session.ImportPSModule(ModuleManifest());
        using var runspace = RunspaceFactory.CreateRunspace(session);
        runspace.Open();
        using var powershell = PowerShell.Create(runspace);
        powershell.Streams.Verbose.DataAdded += (s, e) => Console.Error.WriteLine("VERBOSE: " + ((PSDataCollection<VerboseRecord>)s!)[e.Index].Message);
        powershell.Streams.Warning.DataAdded += (s, e) => Console.Error.WriteLine("WARNING: " + ((PSDataCollection<WarningRecord>)s!)[e.Index].Message);
        powershell.Streams.Error.DataAdded += (s, e) =>
        {
            var error = ((PSDataCollection<ErrorRecord>)s!)[e.Index];
            Console.Error.WriteLine($"ERROR: {error.ErrorDetails?.Message ?? error.Exception.Message}");
            Console.Error.WriteLine($"       FullyQualifiedErrorId: {error.FullyQualifiedErrorId}; Category: {error.CategoryInfo.Category}");
            if (!string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction)) Console.Error.WriteLine($"       RecommendedAction: {error.ErrorDetails.RecommendedAction}");
        };
        // Objects are printed by OutputFormatter rather than Out-Default: this host has no console UI for the formatter.
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (s, e) => Console.WriteLine(OutputFormatter.Format(((PSDataCollection<PSObject>)s!)[e.Index]));
        powershell.AddScript(commandLine);
        try
        {
            powershell.Invoke(null, output);
        }
        catch (RuntimeException e)
        {
            Console.Error.WriteLine($"ERROR: {e.Message}");
            Console.Error.WriteLine($"       FullyQualifiedErrorId: {e.ErrorRecord.FullyQualifiedErrorId}; Category: {e.ErrorRecord.CategoryInfo.Category}");
            return 1;
        }
        return powershell.HadErrors || powershell.Streams.Error.Count > 0 ? 1 : 0;
    }

    private static async Task<int> ServeAsync(EmulatorHost emulator, string connectionFile, StopSignal stop)
    {
        Console.WriteLine($"Local Azure emulator listening at {emulator.ManagementEndpoint} (certificate {emulator.CertificateThumbprint}), profile {emulator.Cloud.Realism.Name} (time scale {emulator.Cloud.Realism.TimeScale}).");
        Console.WriteLine($"Connection file: {connectionFile}");
        Console.WriteLine($"In pwsh: Import-Module ./out/Foundry/Foundry.psd1; Connect-Foundry -Cloud Local -EmulatorConnectionFile '{connectionFile}'");
        Console.WriteLine("Press Ctrl+C to stop.");
        await stop.Stopped;
        return 0;
    }

    internal static string Metadata(string key) =>
        typeof(ShellCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

    internal static string ModuleManifest() =>
        Environment.GetEnvironmentVariable("FOUNDRY_MODULE_PATH") is { Length: > 0 } path ? path : Path.Combine(Metadata("FoundryModuleOut"), "Foundry.psd1");

    /// <summary>The policy: FOUNDRY_POLICY, else ./foundry.policy.json, else the repository's example (whose subscription is the emulator's).</summary>
    private static string PolicyPath() =>
        Environment.GetEnvironmentVariable("FOUNDRY_POLICY") is { Length: > 0 } path ? Path.GetFullPath(path)
        : File.Exists("foundry.policy.json") ? Path.GetFullPath("foundry.policy.json")
        : Path.Combine(Metadata("FoundryRepoRoot"), "examples", "foundry.policy.json");
}
