using System.Diagnostics;
using Foundry.Emulator;
using Foundry.Tests.Support;

namespace Foundry.Tests.LocalCloud;

/// <summary>
/// Real foundry-shell processes on one state folder, as users run them: a long-running <c>--emulator</c> for pwsh and
/// two default-mode runs at once beside it. The runs join the running emulator (they do not start their own on the
/// same state.json), so no environment is lost and connection.json keeps naming the live emulator. And the
/// <c>--emulator</c> process stops cleanly on SIGTERM (kill, docker stop, service managers), taking its connection.json.
/// </summary>
public sealed class ConcurrentShellTests : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromMinutes(3);
    private readonly string folder = Path.Combine(Path.GetTempPath(), "foundry-shells-" + Guid.NewGuid().ToString("n"));
    private readonly string repoRoot = ModuleRunspace.Metadata("FoundryRepoRoot");

    private string ConnectionFile => Path.Combine(folder, "connection.json");

    [Fact]
    public async Task Two_runs_beside_a_running_emulator_join_it_and_pwsh_users_see_both_environments()
    {
        using var emulator = Start("--emulator", "--state-dir", folder);
        try
        {
            var clock = Stopwatch.StartNew();
            while (EmulatorConnection.TryRead(ConnectionFile) is null && !emulator.HasExited && clock.Elapsed < ProcessTimeout) await Task.Delay(100);
            Assert.Equal(emulator.Id, EmulatorConnection.TryRead(ConnectionFile)?.ProcessId);

            var runs = new[] { "pr-11", "pr-12" }.Select(name => RunAsync("--state-dir", folder, "--", $"New-FoundryEnvironment -Environment {name} | Out-Null")).ToList();
            foreach (var (exit, output) in await Task.WhenAll(runs)) Assert.True(exit == 0, output);

            // What a pwsh user's Connect-Foundry -Cloud Local reads: still the --emulator process, alive, holding both.
            Assert.Equal(emulator.Id, EmulatorConnection.TryRead(ConnectionFile)?.ProcessId);
            var (readExit, read) = await RunAsync("--azure", "--", "Get-FoundryEnvironment -Environment pr-11, pr-12 | ForEach-Object { $_.Environment + '=' + [bool]$_.ResourceId }");
            Assert.True(readExit == 0, read);
            Assert.Contains("pr-11=True", read);
            Assert.Contains("pr-12=True", read);
        }
        finally
        {
            if (!emulator.HasExited) emulator.Kill(entireProcessTree: true);
            await emulator.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_emulator_process_stops_cleanly_on_SIGTERM_and_removes_its_connection_file()
    {
        if (OperatingSystem.IsWindows()) return; // No SIGTERM there; Ctrl+C takes the same path (Console.CancelKeyPress).
        using var emulator = Start("--emulator", "--state-dir", folder);
        try
        {
            var clock = Stopwatch.StartNew();
            while (EmulatorConnection.TryRead(ConnectionFile) is null && !emulator.HasExited && clock.Elapsed < ProcessTimeout) await Task.Delay(10); // signal as soon as the file is there: the emulator may still be seeding
            Assert.Equal(emulator.Id, EmulatorConnection.TryRead(ConnectionFile)?.ProcessId);

            using (var kill = Process.Start("kill", new[] { "-TERM", emulator.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) })) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await emulator.WaitForExitAsync(timeout.Token);

            Assert.Equal(0, emulator.ExitCode);
            Assert.False(File.Exists(ConnectionFile), "connection.json outlived the emulator");
        }
        finally
        {
            if (!emulator.HasExited) emulator.Kill(entireProcessTree: true);
            await emulator.WaitForExitAsync();
        }
    }

    private Process Start(params string[] arguments)
    {
        var shell = Path.Combine(repoRoot, "src", "Foundry.Shell", "bin", Configuration, "net10.0", "foundry-shell.dll");
        Assert.True(File.Exists(shell), shell);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(shell);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in new[] { "FOUNDRY_LOCAL_DIR", "FOUNDRY_SUBSCRIPTION_ID", "FOUNDRY_AUDIT_LOG" }) start.Environment.Remove(name);
        start.Environment["FOUNDRY_CLOUD"] = "Local";
        start.Environment["FOUNDRY_EMULATOR_CONNECTION"] = ConnectionFile;
        start.Environment["FOUNDRY_MODULE_PATH"] = ModuleRunspace.ManifestPath;
        start.Environment["FOUNDRY_POLICY"] = Path.Combine(repoRoot, "examples", "foundry.policy.json");
        Directory.CreateDirectory(folder);
        return Process.Start(start)!;
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
