# Smoke tests of the built module on pwsh 7.4+ and Windows PowerShell 5.1 (GitHub Actions), in step with
# tests/Foundry.Tests/Module (which run the same checks in the hosted PowerShell engine under xUnit).
BeforeAll {
    $script:root = Resolve-Path (Join-Path $PSScriptRoot '../..')
    $script:manifest = Join-Path $root 'out/Foundry/Foundry.psd1'
    Import-Module $manifest -Force
}

Describe 'Foundry module' {
    It 'has a valid manifest' {
        { Test-ModuleManifest -Path $manifest -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $declared = (Import-PowerShellDataFile $manifest).CmdletsToExport | Sort-Object
        $exported = Get-Command -Module Foundry | Select-Object -ExpandProperty Name | Sort-Object
        $exported | Should -Be $declared
    }

    It 'ships no Azure assembly next to the cmdlets' {
        Get-ChildItem (Join-Path $root 'out/Foundry/bin') -Recurse -Filter 'Azure.*.dll' | Should -BeNullOrEmpty
    }

    It 'refuses the invalid environment name <Name> before any Azure call' -ForEach @(
        @{ Name = 'PR-1' }, @{ Name = 'pr-' }, @{ Name = 'pr-1a' }, @{ Name = 'dev;x' }, @{ Name = "pr-1`n" }, @{ Name = 'dév' }, @{ Name = ('a' * 300) }
    ) {
        { New-FoundryEnvironment -Environment $Name -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Foundry.Commands.NewFoundryEnvironmentCommand'
    }

    It 'reports a malformed or incomplete policy as PolicyInvalid before any Azure call' -ForEach @(
        @{ Text = '{ "app": "contoso", "defaults": {' }, @{ Text = '[]' }, @{ Text = '{ "app": "contoso" }' }
    ) {
        $bad = Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid().ToString() + '.json')
        Set-Content -Path $bad -Value $Text
        { New-FoundryEnvironment -Environment dev -PolicyPath $bad -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyInvalid,Foundry.Commands.NewFoundryEnvironmentCommand'
    }

    It 'reports a missing policy with a stable error id' {
        $missing = Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid().ToString() + '.json')
        { New-FoundryEnvironment -Environment dev -PolicyPath $missing -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyNotFound,Foundry.Commands.NewFoundryEnvironmentCommand'
    }

    It 'declares an output type on every cmdlet' {
        Get-Command -Module Foundry | ForEach-Object { $_.OutputType | Should -Not -BeNullOrEmpty -Because $_.Name }
    }
}
