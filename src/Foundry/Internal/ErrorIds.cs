namespace Foundry.Internal;

/// <summary>Stable error ids of the module's own code paths (the Engine's come with its exceptions).</summary>
internal static class ErrorIds
{
    public const string EngineLoadFailed = nameof(EngineLoadFailed);
}
