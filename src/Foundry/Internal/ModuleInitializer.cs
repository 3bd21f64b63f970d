using System.Management.Automation;
using System.Reflection;

namespace Foundry.Internal;

/// <summary>
/// Loads Foundry.Engine and its Azure SDK dependencies beside whatever Az.Accounts loaded (PowerShell docs'
/// "resolving dependency conflicts" pattern). The cmdlet assembly names no Azure type, so the only assembly the
/// default context cannot find is Foundry.Engine; this resolver answers for it alone. On PowerShell 7 the engine loads
/// into its own AssemblyLoadContext, which then serves Azure.Core and friends from deps/net8.0 — Az's copies are never
/// asked for or replaced. Windows PowerShell 5.1 has no load contexts: Assembly.LoadFrom puts the engine in the
/// LoadFrom context, which probes deps/net472 for its dependencies; if an equal-version Azure.Core is already loaded,
/// 5.1 reuses it, and an older one loaded first by another module can still conflict (documented risk).
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineName = "Foundry.Engine";
    private static readonly object Sync = new();
    private static int imports;

    internal static string DependencyFolder { get; } = Path.GetFullPath(Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "..", "..", "deps",
#if NET
        "net8.0"));
#else
        "net472"));
#endif

    /// <inheritdoc/>
    public void OnImport()
    {
        lock (Sync)
        {
            if (imports++ > 0) return;
#if NET
            System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += ResolveEngine;
#else
            AppDomain.CurrentDomain.AssemblyResolve += ResolveEngine;
#endif
        }
    }

    /// <inheritdoc/>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        lock (Sync)
        {
            if (--imports > 0) return;
#if NET
            System.Runtime.Loader.AssemblyLoadContext.Default.Resolving -= ResolveEngine;
#else
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveEngine;
#endif
        }
    }

#if NET
    private static Assembly? ResolveEngine(System.Runtime.Loader.AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineName ? EngineLoadContext.Instance.LoadFromAssemblyName(name) : null;
#else
    private static Assembly? ResolveEngine(object? sender, ResolveEventArgs args)
    {
        if (new AssemblyName(args.Name).Name != EngineName) return null;
        // LoadFrom, not LoadFile: the LoadFrom context resolves the engine's own dependencies from the same folder.
        return Assembly.LoadFrom(Path.Combine(DependencyFolder, EngineName + ".dll"));
    }
#endif
}
