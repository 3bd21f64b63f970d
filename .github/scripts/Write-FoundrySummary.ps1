<#
.SYNOPSIS
    Renders what a Foundry command did as a GitHub job summary (markdown) and its failures as error annotations.
.DESCRIPTION
    Takes the command's output objects, its error records (-ErrorVariable) and its information records
    (-InformationVariable, whose "Audit" records say what changed). Appends a markdown section to the job summary
    file (GITHUB_STEP_SUMMARY) and writes one "::error title=<ErrorId>::<message> - <recommended action>" line per
    error to the pipeline (the dash is an em dash), which a GitHub Actions step prints to its log, where the runner turns it into an annotation.
    Only known, non-secret properties are rendered: Foundry's objects carry no key, and for an unknown object
    (a newer cmdlet's) any property whose name ends in Key, Token, Password, Secret or Credential is left out.
    Uses only the language and core cmdlets, so it runs in any PowerShell host, including the engine the tests host.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $Action,

    [Parameter(Mandatory)]
    [AllowEmptyString()]
    [string] $Environment,

    [AllowNull()]
    [AllowEmptyCollection()]
    [object[]] $InputObject = @(),

    [AllowNull()]
    [AllowEmptyCollection()]
    [object[]] $ErrorRecord = @(),

    [AllowNull()]
    [AllowEmptyCollection()]
    [object[]] $InformationRecord = @(),

    # Without a path (outside GitHub Actions) the markdown goes to the pipeline after the annotations.
    [string] $SummaryPath = $env:GITHUB_STEP_SUMMARY
)

function Format-Cell([object] $Value) {
    if ($null -eq $Value) { return '' }
    if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [string]) {
        $Value = (@($Value) | ForEach-Object { "$_" }) -join ', '
    }
    $text = "$Value"
    $text.Replace('\', '\\').Replace('|', '\|').Replace('<', '&lt;').Replace("`r", '').Replace("`n", '<br>')
}

function Add-Table([System.Text.StringBuilder] $Text, [string[]] $Header, [object[]] $Rows) {
    [void]$Text.AppendLine('| ' + ($Header -join ' | ') + ' |')
    [void]$Text.AppendLine('|' + (($Header | ForEach-Object { '---' }) -join '|') + '|')
    foreach ($row in $Rows) {
        [void]$Text.AppendLine('| ' + ((@($row) | ForEach-Object { Format-Cell $_ }) -join ' | ') + ' |')
    }
    [void]$Text.AppendLine()
}

function Get-ModelName([object] $Item) {
    $name = @($Item.PSObject.TypeNames)[0]
    if ($name -like 'Deserialized.*') { $name = $name.Substring('Deserialized.'.Length) }
    if ($name -like 'Foundry.Models.*') { return $name.Substring('Foundry.Models.'.Length) }
    $name
}

# Workflow command escaping (GitHub's toolkit): data escapes %, CR, LF; a property also escapes : and ,.
function ConvertTo-AnnotationData([string] $Text) { $Text.Replace('%', '%25').Replace("`r", '%0D').Replace("`n", '%0A') }
function ConvertTo-AnnotationProperty([string] $Text) { (ConvertTo-AnnotationData $Text).Replace(':', '%3A').Replace(',', '%2C') }

$errors = @($ErrorRecord | Where-Object { $null -ne $_ } | ForEach-Object {
    $record = if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ } elseif ($_.ErrorRecord) { $_.ErrorRecord } else { $null }
    if ($null -ne $record) { $record }
})
$changes = @($InformationRecord | Where-Object { $null -ne $_ -and @($_.Tags) -contains 'Audit' } | ForEach-Object { $_.MessageData })
$items = @($InputObject | Where-Object { $null -ne $_ })

$markdown = [System.Text.StringBuilder]::new()
$outcome = if ($errors.Count -eq 0) { 'succeeded' } else { "failed ($($errors.Count) error$(if ($errors.Count -ne 1) { 's' }))" }
[void]$markdown.AppendLine("### Foundry ``$(Format-Cell $Action)`` on ``$(Format-Cell $Environment)``: $outcome")
[void]$markdown.AppendLine()

if ($changes.Count -gt 0) {
    [void]$markdown.AppendLine('**What changed**')
    [void]$markdown.AppendLine()
    Add-Table $markdown @('Step', 'Resource', 'Result', 'Detail') @($changes | ForEach-Object { , @($_.Action, $_.Target, $_.Result, $_.Detail) })
}

foreach ($item in $items) {
    switch (Get-ModelName $item) {
        'FoundryEnvironment' {
            [void]$markdown.AppendLine("**Environment ``$(Format-Cell $item.Environment)``**")
            [void]$markdown.AppendLine()
            $apps = @($item.Apps | ForEach-Object { "$($_.Name): $($_.ReferenceStatus)" })
            Add-Table $markdown @('Property', 'Value') @(
                , @('Account', $item.Name)
                , @('Endpoint', $item.Endpoint)
                , @('Location', $item.Location)
                , @('Deployments', $item.Deployments)
                , @('Key Vault', $item.KeyVaultName)
                , @('Secret', "$($item.SecretName) (version $($item.SecretVersion))")
                , @('Active key slot', $item.ActiveKeySlot)
                , @('Apps', $apps))
        }
        'FoundryPlannedChange' {
            Add-Table $markdown @('Planned', 'Resource type', 'Target', 'Reason') @(, @($item.Action, $item.ResourceType, $item.Target, $item.Reason))
        }
        'FoundryKeyRotation' {
            [void]$markdown.AppendLine("**Key rotation of ``$(Format-Cell $item.Environment)``**")
            [void]$markdown.AppendLine()
            Add-Table $markdown @('Property', 'Value') @(
                , @('Account', $item.ResourceId)
                , @('Key slot', "$($item.PreviousKeySlot) -> $($item.NewKeySlot)")
                , @('Secret version', "$($item.PreviousSecretVersion) -> $($item.SecretVersion)")
                , @('Apps confirmed', $item.AppsConfirmed)
                , @('Apps pending', $item.AppsPending)
                , @('Started', $item.StartedAt)
                , @('Completed', $item.CompletedAt))
        }
        'FoundryCleanupReport' {
            [void]$markdown.AppendLine("**Cleanup of ``$(Format-Cell $item.Environment)``: $(Format-Cell $item.Status), $($item.TotalDeleted) of $($item.TotalExpected) deleted**")
            [void]$markdown.AppendLine()
            $deletions = @($item.Deletions | ForEach-Object { , @($_.ResourceId, $_.ResourceType, $_.Status, $_.Attempts) })
            if ($deletions.Count -gt 0) { Add-Table $markdown @('Resource', 'Type', 'Status', 'Attempts') $deletions }
            $remaining = @($item.Remaining | ForEach-Object { , @($_.ResourceId, $_.ResourceType) })
            if ($remaining.Count -gt 0) { Add-Table $markdown @('Still present', 'Type') $remaining }
        }
        default {
            [void]$markdown.AppendLine("**$(Format-Cell (Get-ModelName $item))**")
            [void]$markdown.AppendLine()
            $rows = @($item.PSObject.Properties | Where-Object { $_.Name -notmatch '(Key|Token|Password|Secret|Credential)$' } | ForEach-Object { , @($_.Name, $_.Value) })
            Add-Table $markdown @('Property', 'Value') $rows
        }
    }
}

$failures = @(foreach ($record in $errors) {
    $message = $record.Exception.Message
    $recommended = ''
    if ($record.ErrorDetails) {
        if ($record.ErrorDetails.Message) { $message = $record.ErrorDetails.Message }
        if ($record.ErrorDetails.RecommendedAction) { $recommended = $record.ErrorDetails.RecommendedAction }
    }
    [pscustomobject]@{
        Id = $record.FullyQualifiedErrorId.Split(',')[0]; Category = $record.CategoryInfo.Category
        Target = $record.TargetObject; Message = $message; Recommended = $recommended
    }
})

if ($failures.Count -gt 0) {
    [void]$markdown.AppendLine('**Errors**')
    [void]$markdown.AppendLine()
    Add-Table $markdown @('Error id', 'Category', 'Target', 'Message', 'Recommended action') @($failures | ForEach-Object { , @($_.Id, $_.Category, $_.Target, $_.Message, $_.Recommended) })
}

foreach ($failure in $failures) {
    $text = if ($failure.Recommended) { "$($failure.Message) $([char]0x2014) $($failure.Recommended)" } else { $failure.Message }
    "::error title=$(ConvertTo-AnnotationProperty $failure.Id)::$(ConvertTo-AnnotationData $text)"
}

if ($SummaryPath) {
    [System.IO.File]::AppendAllText($SummaryPath, $markdown.ToString(), [System.Text.UTF8Encoding]::new($false))
}
else {
    $markdown.ToString()
}
