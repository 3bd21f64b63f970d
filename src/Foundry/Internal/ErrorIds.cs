namespace Foundry.Internal;

/// <summary>Stable error ids of the module's own code paths (the Engine's come with its exceptions).</summary>
internal static class ErrorIds
{
    /// <summary>Find-FoundryKeyExposure found an environment's key in a file.</summary>
    public const string KeyExposed = nameof(KeyExposed);

    /// <summary>A -Path given to Find-FoundryKeyExposure does not exist.</summary>
    public const string ScanPathNotFound = nameof(ScanPathNotFound);

    /// <summary>A confirmation prompt was due and the host cannot show one.</summary>
    public const string ConfirmationRequired = nameof(ConfirmationRequired);

    /// <summary>Connect-Foundry -UseAzContext in a session without Az.Accounts' Get-AzAccessToken.</summary>
    public const string AzContextNotFound = nameof(AzContextNotFound);

    /// <summary>Get-AzAccessToken failed or returned no usable token.</summary>
    public const string AzContextTokenFailed = nameof(AzContextTokenFailed);
}
