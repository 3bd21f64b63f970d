#if NET
using System.Reflection;
using System.Runtime.Loader;

namespace Foundry.Internal;

/// <summary>
/// The "Foundry" load context: Foundry.Engine and every dependency file in deps/net8.0 (runtime-specific assets
/// first). Anything not shipped there — the shared framework, System.Management.Automation, Foundry.dll — falls back
/// to the default context, so PowerShell and the cmdlets see one copy of those.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    public static EngineLoadContext Instance { get; } = new();

    private EngineLoadContext()
        : base("Foundry", isCollectible: false)
    {
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var folder = ModuleInitializer.DependencyFolder;
        var platform = OperatingSystem.IsWindows() ? "win" : "unix";
        foreach (var candidate in new[]
        {
            Path.Combine(folder, "runtimes", platform, "lib", "net8.0", assemblyName.Name + ".dll"),
            Path.Combine(folder, assemblyName.Name + ".dll"),
        })
        {
            if (File.Exists(candidate)) return LoadFromAssemblyPath(candidate);
        }
        return null;
    }
}
#endif
