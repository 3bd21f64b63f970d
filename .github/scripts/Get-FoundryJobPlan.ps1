<#
.SYNOPSIS
    foundry.yml's job matrix for an event: one { action, env } entry per environment.
.DESCRIPTION
    workflow_dispatch: the chosen action on the chosen environment. pull_request (closed): down on pr-<number>.
    schedule: the scheduled rotation and drift check on dev and on staging. Every environment name is checked with
    Assert-FoundryEnvironmentName.ps1 first. Writes "matrix=<json>" to GITHUB_OUTPUT (or -OutputPath) and returns the
    JSON. Uses only the language and core cmdlets, so it runs in any PowerShell host, including the engine the tests host.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $EventName,

    [AllowEmptyString()]
    [string] $Action,

    [AllowEmptyString()]
    [string] $Environment,

    [string] $OutputPath = $env:GITHUB_OUTPUT
)

# A refused name must end this script, not only the statement that checked it.
$ErrorActionPreference = 'Stop'
$assert = [System.IO.Path]::Combine($PSScriptRoot, 'Assert-FoundryEnvironmentName.ps1')
$jobs = @(switch -CaseSensitive ($EventName) {
    'schedule' { @(@('scheduled', 'dev'), @('scheduled', 'staging')) }
    'pull_request' { , @('down', $Environment) }
    'workflow_dispatch' {
        if ($Action -cnotin 'up', 'down', 'rotate-key') { throw "Unknown action '$Action': use up, down or rotate-key." }
        , @($Action, $Environment)
    }
    default { throw "foundry.yml does not handle the '$EventName' event." }
})
# Both values are checked to [a-z0-9-] shapes before they are put into JSON text.
$entries = foreach ($job in $jobs) {
    $null = & $assert -Name $job[1] -OutputPath ''
    '{"action":"' + $job[0] + '","env":"' + $job[1] + '"}'
}
$json = '{"include":[' + ($entries -join ',') + ']}'
if ($OutputPath) { [System.IO.File]::AppendAllText($OutputPath, "matrix=$json`n") }
$json
