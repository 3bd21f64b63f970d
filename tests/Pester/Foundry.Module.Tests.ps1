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

    It 'uses only approved verbs, so importing it warns of nothing' {
        Get-Command -Module Foundry | Where-Object { $_.Verb -notin (Get-Verb).Verb } | Should -BeNullOrEmpty
        Import-Module $manifest -Force -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
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

    # In step with HelpTests: help is read from <root>/en-US with the nested bin/<tfm> layout, on both editions.
    It 'resolves Get-Help with a synopsis and examples for <_>' -ForEach @((Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../out/Foundry/Foundry.psd1')).CmdletsToExport) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$_*"
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }

    # In step with CompletionAndViewTests.
    It 'completes -Environment from the policy' {
        $policy = Join-Path $root 'examples/foundry.policy.json'
        $line = "Invoke-FoundryKeyRotation -PolicyPath '$policy' -Environment "
        $offered = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $offered | Should -Contain 'dev'
        $offered | Should -Contain 'staging'
    }

    It 'has a table view for every output type' {
        Get-Command -Module Foundry | ForEach-Object OutputType | ForEach-Object Name | Sort-Object -Unique | ForEach-Object {
            Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty -Because $_
        }
    }

    # In step with KeyExposureCmdletTests (the scan itself needs a cloud: the xUnit tests run it against the emulator).
    It 'refuses a scan path that does not exist before any Azure call' {
        $missing = Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid().ToString())
        $policy = Join-Path $root 'examples/foundry.policy.json'
        { Find-FoundryKeyExposure -Environment dev -Path $missing -PolicyPath $policy -ErrorAction Stop } | Should -Throw -ErrorId 'ScanPathNotFound,Foundry.Commands.FindFoundryKeyExposureCommand'
    }
}

Describe 'Drift check and repair' {
    It 'refuses an invalid environment name before any Azure call' {
        { Test-FoundryEnvironment -Environment 'PR-1' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Foundry.Commands.TestFoundryEnvironmentCommand'
        { Repair-FoundryEnvironment -Environment 'dev;x' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Foundry.Commands.RepairFoundryEnvironmentCommand'
    }

    It 'reports a missing policy with a stable error id' {
        $missing = Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid().ToString() + '.json')
        { Repair-FoundryEnvironment -Environment dev -PolicyPath $missing -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyNotFound,Foundry.Commands.RepairFoundryEnvironmentCommand'
        { Test-FoundryEnvironment -Environment dev -PolicyPath $missing -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyNotFound,Foundry.Commands.TestFoundryEnvironmentCommand'
    }

    It 'Repair supports -WhatIf and Test does not (Test verbs change nothing)' {
        (Get-Command Repair-FoundryEnvironment).Parameters.ContainsKey('WhatIf') | Should -BeTrue
        (Get-Command Test-FoundryEnvironment).Parameters.ContainsKey('WhatIf') | Should -BeFalse
    }

    It 'declares its output types and has a table view for the check result' {
        (Get-Command Test-FoundryEnvironment).OutputType.Name | Should -Be 'Foundry.Models.FoundryEnvironmentCheck'
        (Get-Command Repair-FoundryEnvironment).OutputType.Name | Should -Be 'Foundry.Models.FoundryPlannedChange'
        Get-FormatData -TypeName 'Foundry.Models.FoundryEnvironmentCheck' | Should -Not -BeNullOrEmpty
    }
}
