namespace Foundry.Internal;

/// <summary>
/// Where each cmdlet's help lives online (Get-Help -Online, the HelpUri of the cmdlet): its markdown in the
/// repository's docs/en-US, the same text the module's MAML help is built from. <see cref="Repository"/> is the one
/// place the repository's address is written in code; Foundry.psd1's ProjectUri and the help's online links use the same.
/// </summary>
internal static class HelpLinks
{
    public const string Repository = "https://github.com/contoso/foundry";
    public const string Docs = Repository + "/blob/main/docs/";
    public const string CmdletHelp = Docs + "en-US/";

    public const string ConnectFoundry = CmdletHelp + "Connect-Foundry.md";
    public const string GetFoundryConnection = CmdletHelp + "Get-FoundryConnection.md";
    public const string NewFoundryEnvironment = CmdletHelp + "New-FoundryEnvironment.md";
    public const string GetFoundryEnvironment = CmdletHelp + "Get-FoundryEnvironment.md";
    public const string TestFoundryEnvironment = CmdletHelp + "Test-FoundryEnvironment.md";
    public const string RepairFoundryEnvironment = CmdletHelp + "Repair-FoundryEnvironment.md";
    public const string InvokeFoundryKeyRotation = CmdletHelp + "Invoke-FoundryKeyRotation.md";
    public const string RemoveFoundryEnvironment = CmdletHelp + "Remove-FoundryEnvironment.md";
    public const string GetFoundryManagedResource = CmdletHelp + "Get-FoundryManagedResource.md";
    public const string RemoveFoundryManagedResource = CmdletHelp + "Remove-FoundryManagedResource.md";
    public const string TestFoundryCleanup = CmdletHelp + "Test-FoundryCleanup.md";
    public const string FindFoundryKeyExposure = CmdletHelp + "Find-FoundryKeyExposure.md";
}
