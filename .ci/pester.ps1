# Runs the Pester specs (tests/Pester) on the built module and writes their counts for .ci/totals.js.
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest
$result = Invoke-Pester -Path (Join-Path $PSScriptRoot '../tests/Pester') -Output Detailed -PassThru
@{ passed = $result.PassedCount; failed = $result.FailedCount; skipped = $result.SkippedCount + $result.NotRunCount } |
    ConvertTo-Json | Set-Content -Path $ResultPath -Encoding utf8
exit $result.FailedCount
