using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Foundry.Tests.Support;

namespace Foundry.Tests.Operator;

/// <summary>Runs a repository script file in the hosted PowerShell engine, keeping what it wrote before a terminating error.</summary>
internal static class HostedScript
{
    public static string PathOf(string relative) => Path.GetFullPath(Path.Combine(ModuleRunspace.Metadata("FoundryRepoRoot"), relative));

    /// <summary>A runspace without the module, for scripts that need none.</summary>
    public static Runspace PlainRunspace()
    {
        var runspace = RunspaceFactory.CreateRunspace(ModuleRunspace.Session(withModule: false));
        runspace.Open();
        return runspace;
    }

    public static Outcome Run(Runspace runspace, string relativePath, IDictionary<string, object?> parameters)
    {
        runspace.SessionStateProxy.SetVariable("LASTEXITCODE", 0);
        using var powershell = PowerShell.Create(runspace);
        powershell.AddCommand(PathOf(relativePath));
        foreach (var (name, value) in parameters) powershell.AddParameter(name, value);
        var output = new PSDataCollection<PSObject>();
        ErrorRecord? terminating = null;
        try
        {
            powershell.Invoke(null, output);
        }
        catch (RuntimeException e)
        {
            terminating = e.ErrorRecord;
        }
        var exitCode = runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int code ? code : 0;
        return new Outcome(output.Where(o => o is not null).ToList(), powershell.Streams.Error.ToList(), terminating, exitCode, powershell.Streams);
    }

    public sealed record Outcome(IReadOnlyList<PSObject> Objects, IReadOnlyList<ErrorRecord> Errors, ErrorRecord? Terminating, int ExitCode, PSDataStreams Streams)
    {
        /// <summary>The output as text lines (annotations, JSON, names).</summary>
        public IReadOnlyList<string> Lines => Objects.Select(o => o.BaseObject?.ToString() ?? "").ToList();
    }
}

/// <summary>One runspace with the module imported and no cloud: for scripts that only validate or render.</summary>
public sealed class ScriptRunspace : IDisposable
{
    public ScriptRunspace()
    {
        Runspace = HostedScript.PlainRunspace();
        using var powershell = PowerShell.Create(Runspace);
        powershell.AddCommand("Import-Module").AddParameter("Name", ModuleRunspace.ManifestPath).Invoke();
    }

    public Runspace Runspace { get; }

    public void Dispose() => Runspace.Dispose();
}
