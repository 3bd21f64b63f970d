using Foundry.Emulator;
using Foundry.Emulator.Realism;

namespace Foundry.Tests.Support;

/// <summary>
/// A local cloud with the realistic profile at 1/50 of Azure's pace: role assignments reach the data planes after
/// 1.2 s, Resource Graph shows changes after 0.1–0.6 s, a secret deletion runs 0.1 s and a purge 0.2 s.
/// </summary>
public sealed class RealisticEmulatorFixture : EmulatorFixture
{
    public const double TimeScale = 0.02;

    public static RealismProfile Profile => RealismProfile.Realistic(TimeScale);

    protected override EmulatorOptions Options() => new() { Realism = Profile };
}
