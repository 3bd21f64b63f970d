namespace Foundry.Emulator.State;

public sealed partial class EmulatorState
{
    /// <summary>Quota limits overriding the catalog default, by "{sub}/{location}/OpenAI.{sku}.{model}" (lower-case).</summary>
    public Dictionary<string, int> QuotaLimits { get; set; } = new();
}
