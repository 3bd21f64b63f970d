<#
.SYNOPSIS
    One foundry.yml job's work: connect, run up / down / rotate-key (or the scheduled rotation and drift check) on
    one environment, write the job summary and annotations, and exit 1 when anything failed.
.DESCRIPTION
    The environment name has been validated by Assert-FoundryEnvironmentName.ps1 in an earlier step; the cmdlets
    validate it again. Every error is collected (GitHub's pwsh wrapper sets $ErrorActionPreference to Stop, which would
    end the run at the first one and lose the rest of the summary). -Connection is splatted into Connect-Foundry:
    empty by default, so Foundry signs in itself with the job's OIDC (a fresh GitHub ID token per Entra request,
    docs/github-actions.md); the tests pass the local emulator's settings.
    Uses only the language and core cmdlets, so it runs in any PowerShell host, including the engine the tests host.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [ValidateSet('up', 'down', 'rotate-key', 'scheduled')]
    [string] $Action,

    [Parameter(Mandatory)]
    [string] $Environment,

    [hashtable] $Connection = @{},

    [string] $ModulePath = [System.IO.Path]::Combine($PSScriptRoot, '..', '..', 'out', 'Foundry', 'Foundry.psd1'),

    [string] $SummaryPath = $env:GITHUB_STEP_SUMMARY
)

$ErrorActionPreference = 'Continue'
$failures = [System.Collections.ArrayList]::new()
$changes = [System.Collections.ArrayList]::new()
$results = [System.Collections.ArrayList]::new()
$common = @{ ErrorVariable = '+failures'; InformationVariable = '+changes' }

try {
    if (-not (Get-Module -Name Foundry)) { Import-Module -Name $ModulePath -ErrorAction Stop }
    # Only when a caller insists on an Az context (-Connection @{ UseAzContext = $true }, after azure/login with enable-AzPSSession).
    if ($Connection['UseAzContext'] -and -not (Get-Module -Name Az.Accounts) -and (Get-Module -ListAvailable -Name Az.Accounts)) {
        Import-Module -Name Az.Accounts -ErrorAction Stop
    }
    $null = Connect-Foundry @Connection -ErrorAction Stop
    $environment = $Environment
    switch ($Action) {
        'up' { $results.AddRange(@(New-FoundryEnvironment -Environment $environment @common)) }
        'rotate-key' { $results.AddRange(@(Invoke-FoundryKeyRotation -Environment $environment @common)) }
        'down' { $results.AddRange(@(Remove-FoundryEnvironment -Environment $environment -Confirm:$false @common)) }
        'scheduled' {
            $results.AddRange(@(Invoke-FoundryKeyRotation -Environment $environment @common))
            $results.AddRange(@(Test-FoundryEnvironment -Environment $environment @common))
        }
    }
}
catch {
    [void]$failures.Add($_)
}

& ([System.IO.Path]::Combine($PSScriptRoot, 'Write-FoundrySummary.ps1')) -Action $Action -Environment $Environment `
    -InputObject $results.ToArray() -ErrorRecord $failures.ToArray() -InformationRecord $changes.ToArray() -SummaryPath $SummaryPath

if ($failures.Count -gt 0) { exit 1 }
