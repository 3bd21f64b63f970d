using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>The built module as PowerShell loads it: manifest, exports, conventions, and the engine's own load context.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ModuleImportTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private static readonly string[] ReadOnlyVerbs = { "Get", "Test", "Connect" };

    [Fact]
    public void The_manifest_is_valid_and_exports_exactly_the_cmdlet_types()
    {
        var manifest = module.Invoke($"Test-ModuleManifest -Path '{ModuleRunspace.ManifestPath}'");
        Assert.Empty(manifest.Errors);
        var info = (PSModuleInfo)Assert.Single(manifest.Output).BaseObject;
        Assert.Equal(new Version(0, 1, 0), info.Version);

        var exported = module.Invoke("Get-Command -Module Foundry | ForEach-Object Name").Output.Select(o => o.ToString()).OrderBy(n => n).ToList();
        var declared = info.ExportedCmdlets.Keys.OrderBy(n => n).ToList();
        var types = CmdletTypes().Select(t => t.GetCustomAttribute<CmdletAttribute>()!).Select(a => $"{a.VerbName}-{a.NounName}").OrderBy(n => n).ToList();
        Assert.Equal(declared, exported);
        Assert.Equal(types, exported);
        Assert.Contains("New-FoundryEnvironment", exported);
    }

    [Fact]
    public void Every_cmdlet_declares_its_output_type_and_every_changing_verb_supports_WhatIf()
    {
        foreach (var type in CmdletTypes())
        {
            var cmdlet = type.GetCustomAttribute<CmdletAttribute>()!;
            Assert.True(type.GetCustomAttributes<OutputTypeAttribute>().Any(), $"{type.Name} has no [OutputType]");
            if (!ReadOnlyVerbs.Contains(cmdlet.VerbName)) Assert.True(cmdlet.SupportsShouldProcess, $"{type.Name} must support ShouldProcess");
            if (cmdlet.VerbName == "Remove") Assert.Equal(ConfirmImpact.High, cmdlet.ConfirmImpact);
            Assert.True(type.IsSealed, $"{type.Name} should be sealed");
        }
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_so_the_import_warns_of_nothing()
    {
        var unapproved = module.Invoke("$approved = (Get-Verb).Verb; Get-Command -Module Foundry | Where-Object { $_.Verb -notin $approved } | ForEach-Object Name");
        Assert.Empty(unapproved.Errors);
        Assert.Empty(unapproved.Output);
        var import = module.Invoke($"Import-Module '{ModuleRunspace.ManifestPath}' -Force -PassThru | Out-Null");
        Assert.Empty(import.Errors);
        Assert.Empty(import.Streams.Warning);
    }

    [Fact]
    public void Every_output_type_has_a_table_view_in_the_built_format_file()
    {
        var format = System.Xml.Linq.XDocument.Load(Path.Combine(ModuleRunspace.Metadata("FoundryModuleOut"), "Foundry.format.ps1xml"));
        var viewed = format.Descendants("View").Where(v => v.Element("TableControl") is not null)
            .SelectMany(v => v.Descendants("TypeName")).Select(t => t.Value.Trim()).ToHashSet(StringComparer.Ordinal);
        var outputs = CmdletTypes().SelectMany(t => t.GetCustomAttributes<OutputTypeAttribute>()).SelectMany(o => o.Type).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Foundry.Models.FoundryEnvironmentCheck", outputs);
        Assert.DoesNotContain(outputs, t => !viewed.Contains(t));
    }

    [Fact]
    public void The_engine_runs_in_its_own_load_context_with_its_own_Azure_Core()
    {
        Assert.Empty(module.Invoke("Get-FoundryConnection").Errors);
        var engine = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "Foundry.Engine");
        Assert.Equal("Foundry", AssemblyLoadContext.GetLoadContext(engine)!.Name);
        var ours = AssemblyLoadContext.GetLoadContext(engine)!.Assemblies.Single(a => a.GetName().Name == "Azure.Core");
        var tests = typeof(Azure.Core.TokenCredential).Assembly;
        Assert.NotSame(tests, ours);
        Assert.Equal(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(tests));
        // The cmdlet assembly and SMA are shared with PowerShell, not duplicated in the engine's context.
        Assert.DoesNotContain(AssemblyLoadContext.GetLoadContext(engine)!.Assemblies, a => a.GetName().Name is "System.Management.Automation" or "Foundry");
    }

    [Fact]
    public void The_cmdlet_assembly_names_no_Azure_type_and_the_engine_exposes_none()
    {
        var binFolder = Path.Combine(ModuleRunspace.Metadata("FoundryModuleOut"), "bin");
        Assert.DoesNotContain(Directory.EnumerateFiles(binFolder, "*.dll", SearchOption.AllDirectories),
            f => Path.GetFileName(f).StartsWith("Azure.", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("Microsoft.Identity", StringComparison.Ordinal));
        var cmdlets = CmdletTypes().First().Assembly;
        Assert.DoesNotContain(cmdlets.GetReferencedAssemblies(), a => a.Name!.StartsWith("Azure.", StringComparison.Ordinal));

        module.Invoke("Get-FoundryConnection");
        var engine = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "Foundry.Engine");
        Assert.DoesNotContain(engine.GetReferencedAssemblies(), a => a.Name == "System.Management.Automation");
        var leaks = new List<string>();
        foreach (var type in engine.GetExportedTypes())
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var types = member switch
                {
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                    PropertyInfo p => new[] { p.PropertyType },
                    FieldInfo f => new[] { f.FieldType },
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                    _ => Enumerable.Empty<Type>(),
                };
                leaks.AddRange(types.SelectMany(Flatten).Where(t => t.Assembly.GetName().Name!.StartsWith("Azure.", StringComparison.Ordinal)).Select(t => $"{type.Name}.{member.Name}: {t.Name}"));
            }
        }
        Assert.Empty(leaks);
    }

    private static IEnumerable<Type> Flatten(Type type) =>
        type.IsGenericType ? type.GetGenericArguments().SelectMany(Flatten).Prepend(type) : type.HasElementType ? Flatten(type.GetElementType()!).Prepend(type) : new[] { type };

    private static IEnumerable<Type> CmdletTypes() =>
        AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == "Foundry" && a.Location.Contains("out", StringComparison.Ordinal))
            .GetTypes().Where(t => t.GetCustomAttribute<CmdletAttribute>() is not null);
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModuleCollection
{
    public const string Name = "Module runspaces";
}
