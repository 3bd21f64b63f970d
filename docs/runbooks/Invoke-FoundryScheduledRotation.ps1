<#
.SYNOPSIS
    Azure Automation runbook: rotates the account key of each listed Foundry environment (dev and staging by default).
.DESCRIPTION
    Signs in with the Automation account's managed identity through Connect-Foundry (Azure.Identity's chain; pass
    -ManagedIdentityClientId for a user-assigned identity), reads the policy from -PolicyPath or from the Automation
    variable named by -PolicyVariableName, and pipes the environments into Invoke-FoundryKeyRotation with
    -Confirm:$false (nothing ever prompts) and -ThrottleLimit (up to that many rotate at once, within one request
    budget; one failing environment stops no other; a run of the same environment elsewhere is waited for). Writes one flat object per environment (strings, numbers, UTC times:
    they serialize cleanly into the job's output stream) and fails the job at the end if any rotation failed or is
    still pending on an app. -Cloud Local with -EmulatorConnectionFile points it at the local emulator (tests, demos).
    Uses only the language and core cmdlets.
#>
[CmdletBinding()]
param(
    [string[]] $Environment = @('dev', 'staging'),

    [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', 'Local')]
    [string] $Cloud = 'AzureCloud',

    [string] $SubscriptionId,

    [string] $ManagedIdentityClientId,

    [string] $PolicyPath,

    [string] $PolicyVariableName = 'FoundryPolicy',

    [string] $EmulatorConnectionFile,

    [ValidateRange(1, 64)]
    [int] $ThrottleLimit = 16
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module -Name Foundry)) { Import-Module -Name Foundry }

$connection = @{ Cloud = $Cloud }
if ($SubscriptionId) { $connection['SubscriptionId'] = $SubscriptionId }
if ($ManagedIdentityClientId) { $connection['ManagedIdentityClientId'] = $ManagedIdentityClientId }
if ($EmulatorConnectionFile) { $connection['EmulatorConnectionFile'] = $EmulatorConnectionFile }
if (-not $PolicyPath) {
    # Automation keeps no files between jobs: the policy lives in an Automation variable (its JSON text).
    if (-not (Get-Command -Name Get-AutomationVariable -ErrorAction SilentlyContinue)) {
        throw "No policy: pass -PolicyPath, or run in Azure Automation with the policy JSON in the variable '$PolicyVariableName'."
    }
    $PolicyPath = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "foundry.policy.$([guid]::NewGuid().ToString('n')).json")
    [System.IO.File]::WriteAllText($PolicyPath, (Get-AutomationVariable -Name $PolicyVariableName))
}
$connection['PolicyPath'] = $PolicyPath
$null = Connect-Foundry @connection

$failed = 0
# All environments at once: each rotation's record, and each error targeted at its environment (an app still pending
# is targeted at the app, which the record names).
$allErrors = [System.Collections.ArrayList]::new()
$records = @{}
try {
    $rotations = @($Environment | ForEach-Object { [pscustomobject]@{ Environment = $_ } } |
        Invoke-FoundryKeyRotation -Confirm:$false -ThrottleLimit $ThrottleLimit -ErrorAction Continue -ErrorVariable +allErrors)
    foreach ($rotation in $rotations) { $records[[string]$rotation.Environment] = $rotation }
}
catch {
    [void]$allErrors.Add($_)
}
foreach ($name in $Environment) {
    $record = $records[$name]
    $pendingApps = if ($null -ne $record) { @($record.AppsPending) } else { @() }
    $errors = @($allErrors | Where-Object { $_.TargetObject -eq $name -or ($pendingApps.Count -gt 0 -and $pendingApps -contains $_.TargetObject) -or ($null -eq $_.TargetObject -and @($Environment).Count -eq 1) })
    # A failure of the whole batch (no record, nothing targeted at this environment) is each environment's failure.
    if ($errors.Count -eq 0 -and $null -eq $record -and $allErrors.Count -gt 0) { $errors = @($allErrors[0]) }
    $first = if ($errors.Count -gt 0) { $errors[0] } else { $null }
    $status = if ($null -ne $record -and @($record.AppsPending).Count -gt 0) { 'Pending' } elseif ($null -ne $record -and $errors.Count -eq 0) { 'Rotated' } else { 'Failed' }
    if ($status -ne 'Rotated') { $failed++ }
    [pscustomobject]@{
        Environment       = $name
        Action            = 'RotateKey'
        Status            = $status
        PreviousKeySlot   = if ($record) { [string]$record.PreviousKeySlot } else { $null }
        NewKeySlot        = if ($record) { [string]$record.NewKeySlot } else { $null }
        SecretVersion     = if ($record) { [string]$record.SecretVersion } else { $null }
        AppsConfirmed     = if ($record) { @($record.AppsConfirmed) -join ',' } else { '' }
        AppsPending       = if ($record) { @($record.AppsPending) -join ',' } else { '' }
        CompletedAt       = if ($record -and $record.CompletedAt) { $record.CompletedAt.UtcDateTime } else { $null }
        ErrorId           = if ($first) { $first.FullyQualifiedErrorId.Split(',')[0] } else { $null }
        Message           = if ($first) { if ($first.ErrorDetails -and $first.ErrorDetails.Message) { $first.ErrorDetails.Message } else { $first.Exception.Message } } else { $null }
        RecommendedAction = if ($first -and $first.ErrorDetails) { $first.ErrorDetails.RecommendedAction } else { $null }
    }
}

if ($failed -gt 0) { throw "$failed of $(@($Environment).Count) key rotations did not complete; see the objects above." }
