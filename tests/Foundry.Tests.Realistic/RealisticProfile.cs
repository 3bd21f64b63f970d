using System.Runtime.CompilerServices;
using Foundry.Emulator.Realism;
using Xunit;

namespace Foundry.Tests.Module;

/// <summary>Every module runspace's local cloud in this assembly is realistic, with Azure's delays at 1/100.</summary>
internal static class RealisticProfile
{
    [ModuleInitializer]
    internal static void Apply()
    {
        Environment.SetEnvironmentVariable(RealismProfile.ProfileVariable, RealismProfile.RealisticName);
        Environment.SetEnvironmentVariable(RealismProfile.TimeScaleVariable, "0.01");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ModuleCollection
{
    public const string Name = "Module runspaces";
}
