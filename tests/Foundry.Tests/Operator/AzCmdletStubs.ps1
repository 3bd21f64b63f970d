# Stand-ins for the Az cmdlets an operator pipes Foundry's objects into, with the real cmdlets' parameter sets:
# names, aliases, types, Mandatory, Position and ValueFromPipeline(ByPropertyName), as in Azure/azure-powershell
# (src/KeyVault: GetAzureKeyVaultSecret.cs, SetAzureKeyVaultSecret.cs, GetAzureKeyVault.cs; src/Websites:
# GetAzureWebApp.cs; src/Resources: RemoveAzureResourceGroupCmdlet.cs, GetAzureResourceCmdlet.cs,
# ResourceManipulationCmdletBase.cs for Remove-AzResource; Get-AzCognitiveServicesAccountKey from its reference page:
# -ResourceGroupName (position 0) and -Name (position 1, aliases CognitiveServicesAccountName, AccountName), both from
# the pipeline by property name). Each stub outputs what PowerShell bound (parameter set and values) and calls nothing.
# Types the stubs take by value are classes of their own, as the real ones (PSKeyVault…) are types Foundry never outputs.
class PSKeyVault { [string] $VaultName }
class PSKeyVaultSecretIdentityItem { [string] $VaultName; [string] $Name }
class PSAppServicePlan { [string] $Name }

function Out-AzBinding([string] $Command, $Cmdlet, $Bound) {
    $values = [ordered]@{}
    foreach ($key in ($Bound.Keys | Sort-Object)) { $values[$key] = $Bound[$key] }
    [pscustomobject]@{ Command = $Command; ParameterSet = $Cmdlet.ParameterSetName; Bound = [pscustomobject]$values }
}

function Get-AzKeyVaultSecret {
    [CmdletBinding(DefaultParameterSetName = 'ByVaultName')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'BySecretName')]
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'ByVaultName')]
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'BySecretVersions')]
        [string] $VaultName,
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'ByInputObjectVaultName')]
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'ByInputObjectSecretName')]
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'ByInputObjectSecretVersions')]
        [PSKeyVault] $InputObject,
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'ByResourceIdVaultName')]
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'ByResourceIdSecretName')]
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'ByResourceIdSecretVersions')]
        [string] $ResourceId,
        [Parameter(Position = 1, ParameterSetName = 'ByVaultName')]
        [Parameter(Position = 1, ParameterSetName = 'ByInputObjectVaultName')]
        [Parameter(Position = 1, ParameterSetName = 'ByResourceIdVaultName')]
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'BySecretName')]
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'ByInputObjectSecretName')]
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'ByResourceIdSecretName')]
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'BySecretVersions')]
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'ByInputObjectSecretVersions')]
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'ByResourceIdSecretVersions')]
        [Alias('SecretName')]
        [string] $Name,
        [Parameter(Mandatory, Position = 2, ParameterSetName = 'BySecretName')]
        [Parameter(Mandatory, Position = 2, ParameterSetName = 'ByInputObjectSecretName')]
        [Parameter(Mandatory, Position = 2, ParameterSetName = 'ByResourceIdSecretName')]
        [Alias('SecretVersion')]
        [string] $Version,
        [Parameter(Mandatory, ParameterSetName = 'BySecretVersions')]
        [Parameter(Mandatory, ParameterSetName = 'ByInputObjectSecretVersions')]
        [Parameter(Mandatory, ParameterSetName = 'ByResourceIdSecretVersions')]
        [switch] $IncludeVersions,
        [Parameter(ParameterSetName = 'ByVaultName')]
        [Parameter(ParameterSetName = 'ByInputObjectVaultName')]
        [Parameter(ParameterSetName = 'ByResourceIdVaultName')]
        [switch] $InRemovedState,
        [switch] $AsPlainText
    )
    process { Out-AzBinding 'Get-AzKeyVaultSecret' $PSCmdlet $PSBoundParameters }
}

function Set-AzKeyVaultSecret {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'DefaultAttribute')]
    param(
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'Default')]
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'DefaultAttribute')]
        [string] $VaultName,
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'Default')]
        [Parameter(Mandatory, Position = 1, ParameterSetName = 'DefaultAttribute')]
        [Alias('SecretName')]
        [string] $Name,
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'InputObject')]
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'InputObjectAttribute')]
        [PSKeyVaultSecretIdentityItem] $InputObject,
        [Parameter(Mandatory, Position = 2, ParameterSetName = 'Default')]
        [Parameter(Mandatory, Position = 2, ParameterSetName = 'InputObject')]
        [securestring] $SecretValue,
        [Parameter(Position = 2, ParameterSetName = 'DefaultAttribute')]
        [Parameter(Position = 2, ParameterSetName = 'InputObjectAttribute')]
        [Alias('SecretVersion')]
        [string] $Version,
        [Nullable[bool]] $Enable,
        [Nullable[datetime]] $Expires,
        [string] $ContentType,
        [Alias('Tags')]
        [hashtable] $Tag
    )
    process { Out-AzBinding 'Set-AzKeyVaultSecret' $PSCmdlet $PSBoundParameters }
}

function Get-AzKeyVault {
    [CmdletBinding(DefaultParameterSetName = 'GetVaultByName')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'GetVaultByName')]
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'ByDeletedVault')]
        [Alias('Name')]
        [string] $VaultName,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName, ParameterSetName = 'GetVaultByName')]
        [string] $ResourceGroupName,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName, ParameterSetName = 'ByDeletedVault')]
        [string] $Location,
        [Parameter(Mandatory, ParameterSetName = 'ByDeletedVault')]
        [Parameter(Mandatory, ParameterSetName = 'ListAllDeletedVaultsInSubscription')]
        [switch] $InRemovedState,
        [Parameter(ValueFromPipelineByPropertyName, ParameterSetName = 'GetVaultByName')]
        [hashtable] $Tag
    )
    process { Out-AzBinding 'Get-AzKeyVault' $PSCmdlet $PSBoundParameters }
}

function Get-AzWebApp {
    [CmdletBinding(DefaultParameterSetName = 'S1')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'S1')]
        [string] $ResourceGroupName,
        [Parameter(Position = 1, ValueFromPipelineByPropertyName, ParameterSetName = 'S1')]
        [string] $Name,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'S2')]
        [PSAppServicePlan] $AppServicePlan,
        [Parameter(Mandatory, Position = 0, ParameterSetName = 'S3')]
        [string] $Location
    )
    process { Out-AzBinding 'Get-AzWebApp' $PSCmdlet $PSBoundParameters }
}

function Get-AzCognitiveServicesAccountKey {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [string] $ResourceGroupName,
        [Parameter(Mandatory, Position = 1, ValueFromPipelineByPropertyName)]
        [Alias('CognitiveServicesAccountName', 'AccountName')]
        [string] $Name
    )
    process { Out-AzBinding 'Get-AzCognitiveServicesAccountKey' $PSCmdlet $PSBoundParameters }
}

function Remove-AzResourceGroup {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'RemoveByResourceGroupName')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName, ParameterSetName = 'RemoveByResourceGroupName')]
        [Alias('ResourceGroupName')]
        [string] $Name,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'RemoveByResourceGroupId')]
        [Alias('ResourceGroupId', 'ResourceId')]
        [string] $Id,
        [string] $ForceDeletionType,
        [switch] $Force,
        [switch] $AsJob
    )
    process { Out-AzBinding 'Remove-AzResourceGroup' $PSCmdlet $PSBoundParameters }
}

function Get-AzResource {
    [CmdletBinding(DefaultParameterSetName = 'ByTagNameValueParameterSet')]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'ByResourceId')]
        [Alias('Id')]
        [string] $ResourceId,
        [Parameter(ParameterSetName = 'ByTagObjectParameterSet')]
        [Parameter(ParameterSetName = 'ByTagNameValueParameterSet')]
        [Alias('ResourceName')]
        [string] $Name,
        [Parameter(ParameterSetName = 'ByTagObjectParameterSet')]
        [Parameter(ParameterSetName = 'ByTagNameValueParameterSet')]
        [string] $ResourceType,
        [Parameter(ParameterSetName = 'ByTagObjectParameterSet')]
        [Parameter(ParameterSetName = 'ByTagNameValueParameterSet')]
        [string] $ResourceGroupName,
        [Parameter(Mandatory, ParameterSetName = 'ByTagObjectParameterSet')]
        [hashtable] $Tag,
        [Parameter(ParameterSetName = 'ByTagNameValueParameterSet')]
        [string] $TagName,
        [Parameter(ParameterSetName = 'ByTagNameValueParameterSet')]
        [string] $TagValue,
        [switch] $ExpandProperties
    )
    process { Out-AzBinding 'Get-AzResource' $PSCmdlet $PSBoundParameters }
}

function Remove-AzResource {
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'The resource Id.')]
    param(
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'The resource Id.')]
        [Alias('Id')]
        [string] $ResourceId,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Resource that resides at the subscription level.')]
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Resource that resides at the tenant level.')]
        [Alias('Name')]
        [string] $ResourceName,
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Resource that resides at the subscription level.')]
        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'Resource that resides at the tenant level.')]
        [string] $ResourceType,
        [Parameter(ValueFromPipelineByPropertyName, ParameterSetName = 'Resource that resides at the subscription level.')]
        [string] $ResourceGroupName,
        [Parameter(Mandatory, ParameterSetName = 'Resource that resides at the tenant level.')]
        [switch] $TenantLevel,
        [switch] $Force
    )
    process { Out-AzBinding 'Remove-AzResource' $PSCmdlet $PSBoundParameters }
}
