<#
.SYNOPSIS
    Refuses an environment name other than dev, staging or pr-<digits>, before anything talks to Azure.
.DESCRIPTION
    The first step of every foundry.yml job. The name comes from a workflow input, so it is passed in through an
    environment variable (never pasted into the script text) and checked case-sensitively with the module's own rule:
    ^(dev|staging|pr-[0-9]{1,7})\z. [0-9] rather than \d, which would take other scripts' digits, and \z rather than
    $, which would take a trailing newline. A refused name fails the step with a workflow error annotation; an
    accepted one is written to the pipeline (and, in GitHub Actions, to the step's outputs as "environment").
    Uses only the language and core cmdlets, so it runs in any PowerShell host, including the engine the tests host.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [AllowEmptyString()]
    [AllowNull()]
    [string] $Name,

    # Where "environment=<name>" goes; GitHub Actions sets GITHUB_OUTPUT.
    [string] $OutputPath = $env:GITHUB_OUTPUT
)

$pattern = '^(dev|staging|pr-[0-9]{1,7})\z'
if ($null -eq $Name -or $Name -cnotmatch $pattern) {
    # Show what was refused without echoing control characters or a huge value into the log.
    $shown = if ($null -eq $Name) { '' } else { $Name }
    if ($shown.Length -gt 40) { $shown = $shown.Substring(0, 40) + '...' }
    $shown = [regex]::Replace($shown, '[^\u0020-\u007E]', '?')
    $message = "'$shown' is not a Foundry environment name: use dev, staging or pr-<number> (lower case, at most 7 digits)."
    $annotation = $message.Replace('%', '%25').Replace("`r", '%0D').Replace("`n", '%0A')
    "::error title=InvalidEnvironmentName::$annotation"
    $record = [System.Management.Automation.ErrorRecord]::new(
        [System.ArgumentException]::new($message, 'Name'), 'InvalidEnvironmentName',
        [System.Management.Automation.ErrorCategory]::InvalidArgument, $shown)
    $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($message)
    $record.ErrorDetails.RecommendedAction = 'Run the workflow again with env set to dev, staging or pr-<pull request number>.'
    $PSCmdlet.ThrowTerminatingError($record)
}

if ($OutputPath) {
    [System.IO.File]::AppendAllText($OutputPath, "environment=$Name`n")
}
$Name
