using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Foundry.Emulator;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// Issue 16 item 8: Resource Manager compares subscription ids case-insensitively, so an upper-case GUID — in the
/// policy, Connect-Foundry -SubscriptionId or Get-FoundryManagedResource -SubscriptionId — names the same subscription
/// as the lower-case one Azure writes in ids.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class SubscriptionCaseCmdletTests
{
    private const string Subscription = "abcdef01-2345-4678-9abc-def012345678";

    [Fact]
    public async Task An_upper_case_subscription_id_works_in_every_command()
    {
        var folder = Path.Combine(Path.GetTempPath(), "foundry-case-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        var connection = Path.Combine(folder, "connection.json");
        await using var host = await EmulatorHost.StartAsync(new EmulatorOptions { ConnectionFile = connection, Subscriptions = new[] { Subscription } });
        host.EnsureFunctionApp(Subscription, "rg-apps", "func-contoso-dev", "eastus");
        var upper = Subscription.ToUpperInvariant();
        var policy = Path.Combine(folder, "foundry.policy.json");
        File.WriteAllText(policy, ModuleRunspace.Policy(upper));
        using var runspace = RunspaceFactory.CreateRunspace(ModuleRunspace.Session());
        runspace.Open();
        string Run(string script)
        {
            using var powershell = PowerShell.Create(runspace);
            powershell.AddScript(script);
            var output = powershell.Invoke();
            Assert.True(powershell.Streams.Error.Count == 0, $"{script}: " + string.Join("\n", powershell.Streams.Error.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
            return string.Join("\n", output.Select(o => o?.ToString()));
        }

        Run($"Connect-Foundry -Cloud Local -EmulatorConnectionFile '{connection}' -SubscriptionId '{upper}' -PolicyPath '{policy}' | Out-Null");
        Run("New-FoundryEnvironment -Environment dev | Out-Null");
        var mark = host.Cloud.Log.All.Count;
        Run("New-FoundryEnvironment -Environment dev | Out-Null");
        Assert.Equal(0, host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
        Assert.Equal("True", Run("(Get-FoundryEnvironment -Environment dev).Exists"));
        Assert.Equal("0", Run("@(Test-FoundryEnvironment -Environment dev | Where-Object Status -ne 'Passed').Count"));
        Run("Invoke-FoundryKeyRotation -Environment dev | Out-Null");
        Assert.NotEqual("0", Run($"@(Get-FoundryManagedResource -Environment dev -SubscriptionId '{upper}').Count"));
        Assert.Equal("Verified", Run("(Remove-FoundryEnvironment -Environment dev -Confirm:$false).Status"));
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // leftovers in the temp folder are harmless
        }
    }
}
