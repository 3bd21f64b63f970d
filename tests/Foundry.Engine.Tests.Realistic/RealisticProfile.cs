using System.Runtime.CompilerServices;
using Foundry.Emulator.Realism;

namespace Foundry.Engine.Tests;

/// <summary>Every local cloud this assembly's tests start is realistic, with Azure's delays at 1/100 (60 s of RBAC propagation: 0.6 s).</summary>
internal static class RealisticProfile
{
    public const double TimeScale = 0.01;

    [ModuleInitializer]
    internal static void Apply()
    {
        Environment.SetEnvironmentVariable(RealismProfile.ProfileVariable, RealismProfile.RealisticName);
        Environment.SetEnvironmentVariable(RealismProfile.TimeScaleVariable, TimeScale.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
