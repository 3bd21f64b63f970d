# The operator surface on pwsh 7.4+ and Windows PowerShell 5.1 (GitHub Actions), in step with
# tests/Foundry.Tests/Operator (WorkflowTests, WorkflowSummaryTests, RunbookTests) and Module/NonInteractiveTests,
# which run the same scripts in the hosted PowerShell engine under xUnit.
BeforeAll {
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:manifest = Join-Path $root 'out/Foundry/Foundry.psd1'
    $script:validate = Join-Path $root '.github/scripts/Assert-FoundryEnvironmentName.ps1'
    $script:plan = Join-Path $root '.github/scripts/Get-FoundryJobPlan.ps1'
    $script:summary = Join-Path $root '.github/scripts/Write-FoundrySummary.ps1'
    $script:rotation = Join-Path $root 'docs/runbooks/Invoke-FoundryScheduledRotation.ps1'
    $script:janitor = Join-Path $root 'docs/runbooks/Invoke-FoundryPrJanitor.ps1'

    function Get-ParameterDefault([string] $Path, [string] $Name) {
        $parameter = (Get-Command $Path).ScriptBlock.Ast.ParamBlock.Parameters | Where-Object { $_.Name.VariablePath.UserPath -eq $Name }
        if ($parameter.DefaultValue) { $parameter.DefaultValue.Extent.Text } else { $null }
    }
}

Describe 'Assert-FoundryEnvironmentName.ps1 (foundry.yml validation step)' {
    It 'accepts <Name>' -TestCases @(
        @{ Name = 'dev' }, @{ Name = 'staging' }, @{ Name = 'pr-1' }, @{ Name = 'pr-123' }
    ) {
        & $validate -Name $Name -OutputPath '' | Should -BeExactly $Name
    }

    # Non-ASCII names are built from code points: Windows PowerShell reads a BOM-less script file as ANSI.
    It 'refuses <Label>' -TestCases @(
        @{ Label = 'PR-1'; Name = 'PR-1' }, @{ Label = 'pr-'; Name = 'pr-' }, @{ Label = 'pr-1a'; Name = 'pr-1a' },
        @{ Label = 'dev;x'; Name = 'dev;x' }, @{ Label = 'prod'; Name = 'prod' }, @{ Label = 'empty'; Name = '' },
        @{ Label = '300 characters'; Name = ('a' * 300) }, @{ Label = 'fullwidth dev'; Name = -join [char[]](0xFF44, 0xFF45, 0xFF56) },
        @{ Label = 'a trailing newline'; Name = "dev`n" }, @{ Label = 'fullwidth digits'; Name = 'pr-' + (-join [char[]](0xFF11, 0xFF12)) }
    ) {
        { & $validate -Name $Name -OutputPath '' } | Should -Throw -ErrorId 'InvalidEnvironmentName,*'
    }

    It 'writes the accepted name to the step outputs' {
        $output = Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid().ToString() + '.txt')
        try {
            $null = & $validate -Name 'pr-7' -OutputPath $output
            [IO.File]::ReadAllText($output) | Should -BeExactly "environment=pr-7`n"
        }
        finally {
            Remove-Item -LiteralPath $output -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Get-FoundryJobPlan.ps1 (foundry.yml matrix)' {
    It 'plans the scheduled rotation and drift check for dev and staging' {
        & $plan -EventName schedule -OutputPath '' | Should -BeExactly '{"include":[{"action":"scheduled","env":"dev"},{"action":"scheduled","env":"staging"}]}'
    }

    It 'plans down for a closed pull request' {
        & $plan -EventName pull_request -Environment 'pr-42' -OutputPath '' | Should -BeExactly '{"include":[{"action":"down","env":"pr-42"}]}'
    }

    It 'refuses an unknown action or a bad name' {
        { & $plan -EventName workflow_dispatch -Action destroy -Environment dev -OutputPath '' } | Should -Throw
        { & $plan -EventName workflow_dispatch -Action up -Environment prod -OutputPath '' } | Should -Throw -ErrorId 'InvalidEnvironmentName,*'
    }
}

Describe 'Write-FoundrySummary.ps1 (job summary and annotations)' {
    It 'renders an error as an escaped annotation with its id and recommended action' {
        $record = [System.Management.Automation.ErrorRecord]::new([Exception]::new("50% done`nthen stopped"), 'KeyRotationUnsafe', 'ResourceBusy', 'target')
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new("50% done`nthen stopped")
        $record.ErrorDetails.RecommendedAction = 'Let apps refresh, then rotate.'
        $file = Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid().ToString() + '.md')
        try {
            $lines = & $summary -Action rotate-key -Environment dev -ErrorRecord @($record) -SummaryPath $file
            $lines | Should -BeExactly ("::error title=KeyRotationUnsafe::50%25 done%0Athen stopped " + [char]0x2014 + ' Let apps refresh, then rotate.')
            [IO.File]::ReadAllText($file) | Should -Match '\| KeyRotationUnsafe \| ResourceBusy \| target \|'
        }
        finally {
            Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
        }
    }

    It 'renders a cleanup report as a table of deletions' {
        $report = [pscustomobject]@{
            PSTypeName = 'Foundry.Models.FoundryCleanupReport'; Environment = 'pr-5'; Status = 'Verified'; TotalDeleted = 1; TotalExpected = 1
            Deletions = @([pscustomobject]@{ ResourceId = '/subscriptions/s/resourceGroups/rg-contoso-pr-5'; ResourceType = 'Microsoft.Resources/resourceGroups'; Status = 'deleted'; Attempts = 1 })
            Remaining = @()
        }
        $markdown = & $summary -Action down -Environment pr-5 -InputObject @($report) -SummaryPath ''
        $markdown | Should -Match 'Cleanup of `pr-5`: Verified, 1 of 1 deleted'
        $markdown | Should -Match '\| /subscriptions/s/resourceGroups/rg-contoso-pr-5 \| Microsoft.Resources/resourceGroups \| deleted \| 1 \|'
    }
}

Describe 'Runbook parameters' {
    It 'the scheduled rotation defaults to dev and staging on AzureCloud' {
        $command = Get-Command $rotation
        $command.Parameters.Keys | Should -Contain 'EmulatorConnectionFile'
        $command.Parameters.Keys | Should -Contain 'ManagedIdentityClientId'
        $command.Parameters['Cloud'].Attributes.ValidValues | Should -Be @('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', 'Local')
        Get-ParameterDefault $rotation 'Cloud' | Should -BeExactly "'AzureCloud'"
        Get-ParameterDefault $rotation 'Environment' | Should -BeExactly "@('dev', 'staging')"
        Get-ParameterDefault $rotation 'PolicyVariableName' | Should -BeExactly "'FoundryPolicy'"
    }

    It 'the janitor takes open pull requests, a maximum age and a dry run' {
        $command = Get-Command $janitor
        $command.Parameters['OpenPullRequest'].ParameterType | Should -Be ([int[]])
        $command.Parameters['MaxAgeDays'].ParameterType | Should -Be ([int])
        $command.Parameters['DryRun'].ParameterType | Should -Be ([bool])
        Get-ParameterDefault $janitor 'Cloud' | Should -BeExactly "'AzureCloud'"
    }

    It 'the janitor refuses to run without a criterion' {
        { & $janitor -Cloud Local } | Should -Throw -ErrorId 'JanitorCriteriaRequired,*'
    }
}

Describe 'Non-interactive sessions' {
    It 'Remove-FoundryEnvironment under -NonInteractive fails with ConfirmationRequired instead of prompting' {
        # The running edition's own executable (pwsh may run as a dotnet global tool, whose process is dotnet).
        $shell = if ($PSVersionTable.PSEdition -eq 'Desktop') { Join-Path $PSHOME 'powershell.exe' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
        $policy = Join-Path $root 'examples/foundry.policy.json'
        $command = "Import-Module '$manifest'; try { Remove-FoundryEnvironment -Environment pr-1 -PolicyPath '$policy' -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.ErrorDetails.RecommendedAction }"
        $output = & $shell -NoProfile -NonInteractive -Command $command
        ($output -join "`n") | Should -Match '(?m)^ConfirmationRequired,Foundry\.Commands\.RemoveFoundryEnvironmentCommand'
        ($output -join "`n") | Should -Match 'Pass -Confirm:\$false'
    }
}

# In step with Module/AzContextCredentialTests: a signed-in Az session is used without -UseAzContext (never for the
# local cloud). The vault token is refused, so Connect-Foundry stops before it would reach Azure.
Describe 'Az.Accounts context' {
    BeforeAll {
        Import-Module $manifest -Force
        $global:AzTokenCalls = [System.Collections.ArrayList]::new()
        function global:Get-AzContext { [pscustomobject]@{ Account = [pscustomobject]@{ Id = 'operator@contoso.example' } } }
        function global:Get-AzAccessToken {
            param([string] $ResourceUrl, [string] $TenantId)
            [void]$global:AzTokenCalls.Add($ResourceUrl)
            if ($ResourceUrl -like '*vault*') { throw "No token for $ResourceUrl in this test." }
            [pscustomobject]@{ Token = 'not-a-real-token'; ExpiresOn = [DateTimeOffset]::UtcNow.AddHours(1) }
        }
    }
    AfterAll {
        Remove-Item function:global:Get-AzContext, function:global:Get-AzAccessToken -ErrorAction SilentlyContinue
    }

    It 'is asked for Resource Manager and Key Vault tokens when Connect-AzAccount signed in' {
        { Connect-Foundry -Cloud AzureCloud -ErrorAction Stop } | Should -Throw -ErrorId 'AzContextTokenFailed,Foundry.Commands.ConnectFoundryCommand'
        $global:AzTokenCalls | Should -Be @('https://management.azure.com', 'https://vault.azure.net')
    }
}
