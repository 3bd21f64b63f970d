using Foundry.Emulator;
using Foundry.Emulator.Realism;

namespace Foundry.Tests.Support;

/// <summary>
/// A local cloud with the realistic profile at 1/50 of Azure's pace: role assignments reach the data planes after
/// 1.2 s. Secret deletions and purges (50 s in Azure terms: 1 s here) and Resource Graph's lag (25–50 s: 0.5–1 s)
/// are stretched within Azure's range so that the checks a test makes inside those windows never race their end on a
/// loaded machine.
/// </summary>
public sealed class RealisticEmulatorFixture : EmulatorFixture
{
    public const double TimeScale = 0.02;

    public static RealismProfile Profile => RealismProfile.Realistic(TimeScale) with
    {
        SecretDeletion = TimeSpan.FromSeconds(50),
        SecretPurge = TimeSpan.FromSeconds(50),
        GraphIndexLagMin = TimeSpan.FromSeconds(25),
        GraphIndexLagMax = TimeSpan.FromSeconds(50),
    };

    protected override EmulatorOptions Options() => new() { Realism = Profile };
}
