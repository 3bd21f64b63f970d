using System.Management.Automation;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>Bad input gets a clear error before any write: malformed and incomplete policies, an unknown model, an empty subscription.</summary>
[Collection(ModuleCollection.Name)]
public sealed class BadInputCmdletTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private const string Deployment = "{ \"name\": \"gpt-4o\", \"model\": \"gpt-4o\", \"version\": \"2024-08-06\", \"sku\": \"GlobalStandard\", \"capacity\": 10 }";

    public static TheoryData<string, string, string, string> Policies => new()
    {
        // case, what to do to the good policy, expected error id, text the message must name
        { "malformed JSON", "{ \"app\": \"contoso\", \"defaults\": {", "PolicyInvalid", "" },
        { "not an object", "[]", "PolicyInvalid", "" },
        { "no environments", "{ \"app\": \"contoso\" }", "PolicyInvalid", "environments" },
        { "deployment without version", $"replace:{Deployment}=>{{ \"name\": \"gpt-4o\", \"model\": \"gpt-4o\", \"sku\": \"GlobalStandard\", \"capacity\": 10 }}", "PolicyInvalid", "deployments[0].version" },
        { "capacity not a number", "replace:\"capacity\": 10=>\"capacity\": \"ten\"", "PolicyInvalid", "capacity" },
        { "empty subscription", "replace:\"subscriptionId\": \"SUB\"=>\"subscriptionId\": \"\"", "PolicyInvalid", "subscriptionId" },
        { "unknown model", "replace:\"model\": \"gpt-4o\", \"version\": \"2024-08-06\"=>\"model\": \"gpt-9-turbo\", \"version\": \"2031-01-01\"", "ModelNotAvailableInRegion", "gpt-9-turbo" },
        { "environment not in the policy", "replace:\"dev\": { \"apps\": [ { \"name\": \"func-contoso-dev\", \"resourceGroup\": \"rg-apps\" } ] },=>", "EnvironmentNotInPolicy", "dev" },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_bad_policy_is_a_clear_error_before_any_write(string description, string change, string errorId, string named)
    {
        var good = ModuleRunspace.Policy(module.Host.DefaultSubscription);
        var text = change.StartsWith("replace:", StringComparison.Ordinal)
            ? Replace(good.Replace(module.Host.DefaultSubscription, "SUB", StringComparison.Ordinal), change["replace:".Length..]).Replace("SUB", module.Host.DefaultSubscription, StringComparison.Ordinal)
            : change;
        var path = Path.Combine(module.Folder, $"bad-{Guid.NewGuid():n}.policy.json");
        File.WriteAllText(path, text);
        var mark = module.Host.Cloud.Log.All.Count;

        var result = module.Invoke($"New-FoundryEnvironment -Environment dev -PolicyPath '{path}'");

        var error = Assert.Single(result.Errors);
        Assert.True(error.FullyQualifiedErrorId.StartsWith(errorId + ",", StringComparison.Ordinal), $"{description}: {error.FullyQualifiedErrorId}: {error.Exception.Message}");
        Assert.Contains(named, error.Exception.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction), $"{description}: no recommended action");
        Assert.NotEqual(ErrorCategory.NotSpecified, error.CategoryInfo.Category);
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
    }

    [Fact]
    public void An_empty_subscription_parameter_is_refused_before_any_call()
    {
        var mark = module.Host.Cloud.Log.All.Count;
        foreach (var command in new[] { "Get-FoundryManagedResource -Environment dev -SubscriptionId ''", "Connect-Foundry -Cloud Local -SubscriptionId ''" })
        {
            var result = module.Invoke(command);
            var error = Assert.Single(result.Errors);
            Assert.True(error.FullyQualifiedErrorId.StartsWith("ParameterArgumentValidationError", StringComparison.Ordinal), $"{command}: {error.FullyQualifiedErrorId}");
        }
        Assert.Equal(mark, module.Host.Cloud.Log.All.Count);
    }

    private static string Replace(string text, string change)
    {
        var parts = change.Split("=>", 2);
        Assert.Contains(parts[0], text);
        return text.Replace(parts[0], parts[1], StringComparison.Ordinal);
    }
}
