namespace Foundry.Internal;

/// <summary>Stable error ids of the module's own code paths (the Engine's come with its exceptions).</summary>
internal static class ErrorIds
{
    /// <summary>Find-FoundryKeyExposure found an environment's key in a file.</summary>
    public const string KeyExposed = nameof(KeyExposed);

    /// <summary>A -Path given to Find-FoundryKeyExposure does not exist.</summary>
    public const string ScanPathNotFound = nameof(ScanPathNotFound);
}
