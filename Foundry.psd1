@{
    RootModule            = 'Foundry.psm1'
    ModuleVersion         = '0.1.0'
    CompatiblePSEditions  = @('Core', 'Desktop')
    GUID                  = 'b3c1f6a2-4f0e-4a55-9d6e-6f0c2a7e5d11'
    Author                = 'Foundry'
    CompanyName           = 'Foundry'
    Copyright             = '(c) Foundry. All rights reserved.'
    Description           = 'Stands up, rotates, tears down and cleans up Azure AI Foundry / Azure OpenAI environments.'
    PowerShellVersion     = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess      = @('Foundry.format.ps1xml')
    CmdletsToExport       = @(
        'Connect-Foundry'
        'Get-FoundryConnection'
        'New-FoundryEnvironment'
        'Get-FoundryEnvironment'
        'Test-FoundryEnvironment'
        'Repair-FoundryEnvironment'
        'Invoke-FoundryKeyRotation'
        'Remove-FoundryEnvironment'
        'Get-FoundryManagedResource'
        'Remove-FoundryManagedResource'
        'Test-FoundryCleanup'
        'Find-FoundryKeyExposure'
    )
    FunctionsToExport     = @()
    AliasesToExport       = @()
    VariablesToExport     = @()
    PrivateData           = @{
        PSData = @{
            Tags       = @('Azure', 'OpenAI', 'AIFoundry', 'KeyVault', 'KeyRotation')
            # The repository (src/Foundry/Internal/HelpLinks.cs holds the same address for each cmdlet's HelpUri).
            ProjectUri   = 'https://github.com/contoso/foundry'
            ReleaseNotes = @'
0.1.0
- Environments up / rotate / down / drift check / repair against Azure and the local cloud.
- Output objects bind Az cmdlets by property name (docs/pipelines.md); -Environment binds from the pipeline by value
  and by property name, once per environment; names are checked against the policy's environmentNamePattern
  (EnvironmentNameInvalid).
- -WhatIf plans with full resource ids (also for Invoke-FoundryKeyRotation), -Verbose intent then result, -Debug HTTP
  trace with redaction, audit records as objects; Get-FoundryManagedResource -First/-Skip/-IncludeTotalCount;
  Remove-FoundryEnvironment -Force; about_Foundry and about_Foundry_Policy; Get-Help <cmdlet> -Online.
'@
        }
    }
}
