<#
.SYNOPSIS
    Builds, checks, tests and packages the Foundry module.
.DESCRIPTION
    Build   : dotnet build (lays out out/Foundry: manifest, loader, format views, en-US help from docs/en-US, bin/<tfm>, deps/<tfm>).
    Check   : fails if out/Foundry/bin holds any Azure.* or Microsoft.Identity.* file (they belong in deps/).
    Test    : dotnet test, then the Pester specs in a child pwsh process (so the module's DLLs are not locked here).
    Package : publishes out/Foundry to a temporary local repository and leaves the .nupkg in out/.
    Clean   : removes out/ and every bin/ and obj/.
.EXAMPLE
    ./build.ps1 -Task Build, Check, Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Check', 'Test', 'Package')]
    [string[]] $Task = @('Build', 'Check'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$module = Join-Path $root 'out/Foundry'

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean' {
            Remove-Item (Join-Path $root 'out') -Recurse -Force -ErrorAction SilentlyContinue
            Get-ChildItem $root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
        }
        'Build' {
            Invoke-Native dotnet @('build', (Join-Path $root 'Foundry.sln'), '-c', $Configuration)
        }
        'Check' {
            $leaked = Get-ChildItem (Join-Path $module 'bin') -Recurse -File | Where-Object { $_.Name -like 'Azure.*' -or $_.Name -like 'Microsoft.Identity.*' }
            if ($leaked) { throw "Azure assemblies next to the cmdlets would load into the default context: $($leaked.Name -join ', ')" }
            if (-not (Test-Path (Join-Path $module 'deps/net8.0/Foundry.Engine.dll'))) { throw 'deps/net8.0/Foundry.Engine.dll is missing: run the Build task.' }
            if (-not (Test-Path (Join-Path $module 'en-US/Foundry.dll-Help.xml'))) { throw 'en-US/Foundry.dll-Help.xml is missing: run the Build task (help is built from docs/en-US).' }
            Test-ModuleManifest (Join-Path $module 'Foundry.psd1') | Out-Null
            Write-Host 'Check passed: no Azure assembly in bin/, help present, manifest valid.'
        }
        'Test' {
            Invoke-Native dotnet @('test', (Join-Path $root 'Foundry.sln'), '-c', $Configuration, '--no-build')
            $pester = "Import-Module Pester -MinimumVersion 5.5.0; `$r = Invoke-Pester -Path '$(Join-Path $root 'tests/Pester')' -Output Detailed -PassThru; exit `$r.FailedCount"
            Invoke-Native pwsh @('-NoProfile', '-Command', $pester)
        }
        'Package' {
            $repository = Join-Path ([IO.Path]::GetTempPath()) ("foundry-repo-" + [Guid]::NewGuid().ToString('n'))
            New-Item -ItemType Directory -Path $repository | Out-Null
            try {
                Register-PSResourceRepository -Name FoundryLocal -Uri $repository -Trusted
                Publish-PSResource -Path $module -Repository FoundryLocal
                Copy-Item (Join-Path $repository '*.nupkg') (Join-Path $root 'out')
                Write-Host "Package written to $(Join-Path $root 'out')"
            }
            finally {
                Unregister-PSResourceRepository -Name FoundryLocal -ErrorAction SilentlyContinue
                Remove-Item $repository -Recurse -Force -ErrorAction SilentlyContinue
            }
        }
    }
}
