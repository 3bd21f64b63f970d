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
        # The policy's environmentNamePattern decides, with a Foundry error id and a recommended action (issue 14 item 4).
        $policy = Join-Path $root 'examples/foundry.policy.json'
        { New-FoundryEnvironment -Environment $Name -PolicyPath $policy -ErrorAction Stop } | Should -Throw -ErrorId 'EnvironmentNameInvalid,Foundry.Commands.NewFoundryEnvironmentCommand'
        $Error[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
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

    # Issue 14 item 11, in step with OnlineHelpTests: Get-Help -Online has a URI for every cmdlet (checked without
    # launching a browser), and the about topics ship in the module.
    It 'resolves an online help URI into the repository docs for <_>' -ForEach @((Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../out/Foundry/Foundry.psd1')).CmdletsToExport) {
        $expected = "https://github.com/contoso/foundry/blob/main/docs/en-US/$_.md"
        (Get-Command $_).HelpUri | Should -Be $expected
        @((Get-Help $_ -Full).relatedLinks.navigationLink | Where-Object uri)[0].uri | Should -Be $expected
        Test-Path (Join-Path $root "docs/en-US/$_.md") | Should -BeTrue
    }

    It 'ships the about topic <_>' -ForEach @('about_Foundry', 'about_Foundry_Policy') {
        $help = Get-Help $_ | Out-String
        $help | Should -Match ([regex]::Escape($_))
        $help | Should -Match 'FOUNDRY_|environmentNamePattern'
    }

    It 'lists every FOUNDRY_ variable the module reads in about_Foundry and the README, with one rule' {
        $about = Get-Help about_Foundry | Out-String
        $readme = Get-Content -Raw (Join-Path $root 'README.md')
        foreach ($variable in 'FOUNDRY_CLOUD', 'FOUNDRY_SUBSCRIPTION_ID', 'FOUNDRY_TENANT_ID', 'FOUNDRY_MANAGED_IDENTITY_CLIENT_ID', 'FOUNDRY_POLICY', 'FOUNDRY_AUDIT_LOG', 'FOUNDRY_EMULATOR_CONNECTION', 'FOUNDRY_LOCAL_DIR') {
            $about | Should -Match $variable
            $readme | Should -Match $variable
        }
        $about | Should -Match 'a parameter beats the environment variable'
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
        $policy = Join-Path (Resolve-Path (Join-Path $PSScriptRoot '../..')) 'examples/foundry.policy.json'
        { Test-FoundryEnvironment -Environment 'PR-1' -PolicyPath $policy -ErrorAction Stop } | Should -Throw -ErrorId 'EnvironmentNameInvalid,Foundry.Commands.TestFoundryEnvironmentCommand'
        { Repair-FoundryEnvironment -Environment 'dev;x' -PolicyPath $policy -ErrorAction Stop } | Should -Throw -ErrorId 'EnvironmentNameInvalid,Foundry.Commands.RepairFoundryEnvironmentCommand'
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
