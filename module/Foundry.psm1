# Edition loader: PowerShell 7.4+ loads the net8.0 cmdlets, Windows PowerShell 5.1 the net472 ones.
# The engine and the Azure SDK are not imported here: they load on first use into the module's own
# load context (PowerShell 7) or through an assembly-resolve handler (5.1), beside whatever Az.Accounts loaded.
# Only core cmdlets and .NET calls are used, so the loader also runs in hosts without the utility modules.
if ($PSEdition -eq 'Core' -and $PSVersionTable.PSVersion -lt [version]'7.4') {
    throw "Foundry needs PowerShell 7.4 or later (this is $($PSVersionTable.PSVersion)), or Windows PowerShell 5.1."
}
$framework = if ($PSEdition -eq 'Core') { 'net8.0' } else { 'net472' }
$binaryModule = Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'Foundry.dll')) -PassThru

# Removing Foundry removes the binary module too, so its cleanup unhooks the resolver.
$ExecutionContext.SessionState.Module.OnRemove = { if ($binaryModule) { Remove-Module -ModuleInfo $binaryModule -Force -ErrorAction SilentlyContinue } }.GetNewClosure()
