# up / rotate / drift check / down in a real pwsh against the local emulator, as the README's "With pwsh" section
# shows it: foundry-shell --emulator in its own process, the built module imported, Connect-Foundry -Cloud Local.
# In step with tests/Foundry.Tests/Module/LifecycleCmdletTests and DriftCmdletTests. Needs the built foundry-shell
# (src/Foundry.Shell/bin/<configuration>/net10.0), which .ci/run has; elsewhere (the GitHub Actions Pester job, which
# only downloads out/Foundry) it is skipped.
BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:shell = Get-ChildItem -Path (Join-Path $root 'src/Foundry.Shell/bin/*/net10.0/foundry-shell.dll') -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    $script:skip = $null -eq $shell -or $PSVersionTable.PSEdition -eq 'Desktop'
}

Describe 'Lifecycle against the local emulator in pwsh' -Skip:$skip {
    BeforeAll {
        $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
        $shellDll = (Get-ChildItem -Path (Join-Path $root 'src/Foundry.Shell/bin/*/net10.0/foundry-shell.dll') | Sort-Object LastWriteTime -Descending | Select-Object -First 1).FullName
        $script:state = Join-Path ([IO.Path]::GetTempPath()) ('foundry-pester-' + [Guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $state
        $connection = Join-Path $state 'connection.json'
        $script:emulator = Start-Process -FilePath 'dotnet' -ArgumentList @($shellDll, '--emulator', '--state-dir', $state) -WorkingDirectory $root -PassThru `
            -RedirectStandardOutput (Join-Path $state 'emulator.out') -RedirectStandardError (Join-Path $state 'emulator.err')
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path $connection) -and [DateTime]::UtcNow -lt $deadline -and -not $emulator.HasExited) { Start-Sleep -Milliseconds 200 }
        if (-not (Test-Path $connection)) { throw "The emulator did not start: $(Get-Content (Join-Path $state 'emulator.err') -Raw)" }

        Import-Module (Join-Path $root 'out/Foundry/Foundry.psd1') -Force
        $script:connected = Connect-Foundry -Cloud Local -EmulatorConnectionFile $connection -PolicyPath (Join-Path $root 'examples/foundry.policy.json')
    }

    AfterAll {
        if ($emulator -and -not $emulator.HasExited) { Stop-Process -Id $emulator.Id -Force }
        Remove-Item -Path $state -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'connects to the local cloud' {
        $connected.Cloud | Should -Be 'Local'
    }

    It 'plans with -WhatIf, then up creates dev and the app reference resolves' {
        $plan = New-FoundryEnvironment -Environment dev -WhatIf
        $plan.Action | Should -Contain 'Create'
        $environment = New-FoundryEnvironment -Environment dev
        $environment.ResourceId | Should -Match '/providers/Microsoft.CognitiveServices/accounts/'
        $environment.ActiveKeySlot | Should -Be 'key1'
        $environment.Apps.ReferenceStatus | Should -Be @('Resolved')
    }

    It 'rotates to the other key' {
        $rotation = Invoke-FoundryKeyRotation -Environment dev
        $rotation.NewKeySlot | Should -Be 'key2'
        $rotation.AppsPending | Should -BeNullOrEmpty
    }

    It 'finds no drift after the rotation' {
        $checks = Test-FoundryEnvironment -Environment dev
        $checks | Where-Object Status -ne 'Passed' | ForEach-Object { "$($_.Check): $($_.Detail)" } | Should -BeNullOrEmpty
        $checks.Check | Should -Contain 'ChatCompletion'
    }

    # Issue 14 item 9: -Debug alone shows each HTTP exchange and does not prompt (before: nothing, then a prompt per
    # verbose line that pwsh -NonInteractive turned into an error).
    It 'traces every HTTP exchange with -Debug, without prompting' {
        $debug = Invoke-FoundryKeyRotation -Environment dev -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message
        @($debug -match '^HTTP POST https://\S+/regenerateKey\?api-version=\S+ -> 200 OK in \d+ ms; x-ms-request-id: ') | Should -HaveCount 1
        @($debug -match 'Bearer|api-key:') | Should -HaveCount 0
    }

    # Issue 14 items 1 and 2 in a real pwsh: Az stand-ins with the real parameter sets, and -Environment from the pipeline.
    It 'pipes into Az cmdlets by property name and into its own cmdlets once per environment' {
        . (Join-Path $root 'tests/Foundry.Tests/Operator/AzCmdletStubs.ps1')
        $environment = Get-FoundryEnvironment dev
        ($environment | Remove-AzResourceGroup -WhatIf).Bound.Name | Should -Be 'rg-contoso-dev'
        ($environment | Get-AzCognitiveServicesAccountKey).Bound.Name | Should -Be $environment.AccountName
        ($environment.Apps | Get-AzWebApp).Bound.ResourceGroupName | Should -Be 'rg-contoso-apps'
        @(Get-FoundryManagedResource -Environment dev | Get-FoundryEnvironment).Count | Should -Be 1
        @('dev' | Test-FoundryEnvironment).Count | Should -BeGreaterThan 0
    }

    # Issue 14 item 7: FOUNDRY_LOCAL_DIR names the folder whose connection.json the module reads (before: ignored).
    It 'connects to the local cloud of FOUNDRY_LOCAL_DIR' {
        $saved = $env:FOUNDRY_LOCAL_DIR, $env:FOUNDRY_EMULATOR_CONNECTION
        try {
            $env:FOUNDRY_LOCAL_DIR = $state
            $env:FOUNDRY_EMULATOR_CONNECTION = $null
            $connection = Connect-Foundry -Cloud Local -PolicyPath (Join-Path $root 'examples/foundry.policy.json')
            $connection.Endpoint | Should -Be (Get-Content -Raw (Join-Path $state 'connection.json') | ConvertFrom-Json).endpoint
        }
        finally {
            $env:FOUNDRY_LOCAL_DIR, $env:FOUNDRY_EMULATOR_CONNECTION = $saved
        }
    }

    It 'removes dev and verifies nothing is left' {
        $report = Remove-FoundryEnvironment -Environment dev -Confirm:$false
        $report.Status | Should -Be 'Verified'
        Get-FoundryManagedResource -Environment dev | Should -BeNullOrEmpty
    }
}
