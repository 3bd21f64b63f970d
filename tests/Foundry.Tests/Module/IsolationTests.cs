using System.Diagnostics;
using Foundry.Emulator;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// Az.Accounts loads its own (different) Azure.Core and Azure.Identity into the session first. A child foundry-shell
/// preloads Azure.Core 1.36.0 and Azure.Identity 1.11.4 into its default load context, then imports Foundry and runs a
/// cmdlet against the local cloud: it must work, with both Azure.Core versions side by side.
/// </summary>
public sealed class IsolationTests
{
    [Fact]
    public async Task Foundry_works_after_an_older_Azure_Core_and_Azure_Identity_were_loaded_first()
    {
        var folder = Path.Combine(Path.GetTempPath(), "foundry-isolation-" + Guid.NewGuid().ToString("n"));
        var connection = Path.Combine(folder, "connection.json");
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ConnectionFile = connection });
        var packages = ModuleRunspace.Metadata("NuGetPackageRoot");
        var oldCore = Path.Combine(packages, "azure.core", "1.36.0", "lib", "net6.0", "Azure.Core.dll");
        var oldIdentity = Path.Combine(packages, "azure.identity", "1.11.4", "lib", "netstandard2.0", "Azure.Identity.dll");
        Assert.True(File.Exists(oldCore), oldCore);
        var shell = Path.Combine(ModuleRunspace.Metadata("FoundryRepoRoot"), "src", "Foundry.Shell", "bin", Configuration, "net10.0", "foundry-shell.dll");
        Assert.True(File.Exists(shell), shell);

        var script = "Connect-Foundry -Cloud Local | ForEach-Object SubscriptionId; " +
                     "[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'Azure.Core','Azure.Identity' } | " +
                     "ForEach-Object { 'loaded ' + $_.GetName().Name + ' ' + $_.GetName().Version + ' in ' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { shell, "--azure", "--preload", oldCore, "--preload", oldIdentity, "--", script },
            Environment =
            {
                ["FOUNDRY_CLOUD"] = "Local",
                ["FOUNDRY_EMULATOR_CONNECTION"] = connection,
                ["FOUNDRY_MODULE_PATH"] = ModuleRunspace.ManifestPath,
            },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the shell did not finish");
        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{await stderr}");
        Assert.Contains(host.DefaultSubscription, output);
        Assert.Contains("loaded Azure.Core 1.36.0.0 in Default", output);
        Assert.Contains("loaded Azure.Identity 1.11.4.0 in Default", output);
        Assert.Matches(@"loaded Azure\.Core 1\.(5|6)\d\.\d+\.\d+ in Foundry", output);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
