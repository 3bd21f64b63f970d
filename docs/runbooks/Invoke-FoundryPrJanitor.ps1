<#
.SYNOPSIS
    Azure Automation runbook: removes the pr-<number> environments whose pull request is closed or which are too old.
.DESCRIPTION
    Finds every environment named pr-<number> among the resources Foundry manages (Get-FoundryManagedResource, through
    Resource Graph) and removes it with Remove-FoundryEnvironment -Confirm:$false when its number is not in
    -OpenPullRequest (when that list is given; an empty list means no pull request is open), or when its resource group
    was created more than -MaxAgeDays days ago (the foundry-created-at tag; an environment without it is never
    removed for its age). At least one of the two criteria must be given. -DryRun reports without removing.
    Signs in with the Automation account's managed identity through Connect-Foundry; -Cloud Local with
    -EmulatorConnectionFile points it at the local emulator. Writes one flat object per pr environment (strings,
    numbers, UTC times: they serialize cleanly) and fails the job at the end if a removal failed.
    Uses only the language and core cmdlets.
#>
[CmdletBinding()]
param(
    [int[]] $OpenPullRequest,

    [ValidateRange(0, 3650)]
    [int] $MaxAgeDays = 0,

    [bool] $DryRun = $false,

    [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', 'Local')]
    [string] $Cloud = 'AzureCloud',

    [string] $SubscriptionId,

    [string] $ManagedIdentityClientId,

    [string] $PolicyPath,

    [string] $PolicyVariableName = 'FoundryPolicy',

    [string] $EmulatorConnectionFile
)

$ErrorActionPreference = 'Stop'
$checkOpen = $PSBoundParameters.ContainsKey('OpenPullRequest')
if (-not $checkOpen -and $MaxAgeDays -eq 0) {
    $record = [System.Management.Automation.ErrorRecord]::new(
        [System.ArgumentException]::new('Nothing to decide on: pass -OpenPullRequest (the open pull request numbers), -MaxAgeDays, or both.'),
        'JanitorCriteriaRequired', [System.Management.Automation.ErrorCategory]::InvalidArgument, $null)
    $PSCmdlet.ThrowTerminatingError($record)
}
$open = [System.Collections.Generic.HashSet[int]]::new()
foreach ($number in @($OpenPullRequest)) { if ($null -ne $number) { [void]$open.Add($number) } }

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

# pr environments by number (sorted), with the earliest creation time their resource groups carry.
$found = [System.Collections.Generic.SortedDictionary[int, object]]::new()
foreach ($resource in Get-FoundryManagedResource) {
    if ($resource.Environment -cnotmatch '^pr-([0-9]{1,7})\z') { continue }
    $number = [int]$Matches[1]
    if (-not $found.ContainsKey($number)) { $found[$number] = @{ Name = $resource.Environment; CreatedAt = $null } }
    $created = [DateTimeOffset]::MinValue
    if ($resource.Tags.ContainsKey('foundry-created-at') -and
        [DateTimeOffset]::TryParse($resource.Tags['foundry-created-at'], [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AssumeUniversal, [ref]$created)) {
        if ($null -eq $found[$number].CreatedAt -or $created -lt $found[$number].CreatedAt) { $found[$number].CreatedAt = $created }
    }
}

$cutoff = [DateTimeOffset]::UtcNow.AddDays(-$MaxAgeDays)
$failed = 0
foreach ($entry in $found.GetEnumerator()) {
    $name = $entry.Value.Name
    $createdAt = $entry.Value.CreatedAt
    $reason = if ($checkOpen -and -not $open.Contains($entry.Key)) { 'PullRequestClosed' }
        elseif ($MaxAgeDays -gt 0 -and $null -ne $createdAt -and $createdAt -lt $cutoff) { 'OlderThanMaxAge' }
        else { $null }
    $decision = if ($null -eq $reason) { 'Kept' } elseif ($DryRun) { 'WouldRemove' } else { 'Removed' }
    if ($null -eq $reason) { $reason = if ($MaxAgeDays -gt 0 -and $null -eq $createdAt) { 'OpenAgeUnknown' } else { 'Open' } }

    $report = $null
    $errors = [System.Collections.ArrayList]::new()
    if ($decision -eq 'Removed') {
        try {
            $report = Remove-FoundryEnvironment -Environment $name -Confirm:$false -ErrorAction Continue -ErrorVariable +errors
        }
        catch {
            [void]$errors.Add($_)
        }
        if ($errors.Count -gt 0 -or $null -eq $report) { $decision = 'Failed'; $failed++ }
    }
    $first = if ($errors.Count -gt 0) { $errors[0] } else { $null }
    [pscustomobject]@{
        Environment      = $name
        PullRequest      = $entry.Key
        CreatedAt        = if ($null -ne $createdAt) { $createdAt.UtcDateTime } else { $null }
        Decision         = $decision
        Reason           = $reason
        CleanupStatus    = if ($report) { [string]$report.Status } else { $null }
        ResourcesDeleted = if ($report) { [int]$report.TotalDeleted } else { 0 }
        ErrorId          = if ($first) { $first.FullyQualifiedErrorId.Split(',')[0] } else { $null }
        Message          = if ($first) { if ($first.ErrorDetails -and $first.ErrorDetails.Message) { $first.ErrorDetails.Message } else { $first.Exception.Message } } else { $null }
    }
}

if ($failed -gt 0) { throw "$failed pull request environment(s) could not be removed; see the objects above." }
