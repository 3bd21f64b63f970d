using System.Management.Automation;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>Bad input gets a clear error before any write: malformed, incomplete and oversized policies, Azure's tag rules, duplicate names, a runaway pattern, an unknown model, an empty subscription, odd resource ids.</summary>
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
        // Issue 16 item 8: each of these reached a write (or a raw .NET exception) before.
        { "empty tag name", "replace:\"location\": \"eastus\",=>\"location\": \"eastus\", \"requiredTags\": { \"\": \"x\" },", "PolicyInvalid", "defaults.requiredTags: a tag name is empty" },
        { "51 tags", $"replace:\"location\": \"eastus\",=>\"location\": \"eastus\", \"requiredTags\": {{ {string.Join(", ", Enumerable.Range(1, 51).Select(i => $"\"t{i}\": \"v\""))} }},", "PolicyInvalid", "51 tags; at most 44" },
        { "tag names differing in case", "replace:\"location\": \"eastus\",=>\"location\": \"eastus\", \"requiredTags\": { \"Owner\": \"a\", \"owner\": \"b\" },", "PolicyInvalid", "Azure tag names ignore case" },
        { "duplicate environment", "replace:\"staging\": {=>\"dev\": { \"location\": \"westus\" }, \"staging\": {", "PolicyInvalid", "environments: 'dev' is written more than once" },
        { "catastrophic pattern", "replace:\"app\": \"contoso\",=>\"app\": \"contoso\", \"environmentNamePattern\": \"^(a+)+$\",||\"staging\": {=>\"" + new string('a', 40) + "!\": {}, \"staging\": {", "PolicyInvalid", "took longer than 1 s" },
        { "file over 1 MiB", "pad:", "PolicyInvalid", "larger than 1 MiB" },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_bad_policy_is_a_clear_error_before_any_write(string description, string change, string errorId, string named)
    {
        var good = ModuleRunspace.Policy(module.Host.DefaultSubscription);
        var text = change.StartsWith("replace:", StringComparison.Ordinal)
            ? change["replace:".Length..].Split("||").Aggregate(good.Replace(module.Host.DefaultSubscription, "SUB", StringComparison.Ordinal), Replace).Replace("SUB", module.Host.DefaultSubscription, StringComparison.Ordinal)
            : change == "pad:" ? good + new string(' ', 1100 * 1024)
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

    [Fact]
    public void Odd_resource_ids_are_InvalidResourceId_before_any_request_and_the_good_ones_still_go_ahead()
    {
        var subscription = module.Host.DefaultSubscription;
        var odd = new[]
        {
            $"/subscriptions/{subscription}/..",
            $"/subscriptions/{subscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/func-contoso-dev/..",
            $"/subscriptions/{subscription}/resourceGroups/rg-apps/..",
            "/subscriptions/../resourceGroups/rg-apps",
        };
        var missing = $"/subscriptions/{subscription.ToUpperInvariant()}/resourceGroups/rg-gone-{Guid.NewGuid():n}";
        var mark = module.Host.Cloud.Log.All.Count;

        var result = module.Invoke("Remove-FoundryManagedResource -ResourceId $ids -Force", new Dictionary<string, object?> { ["ids"] = odd.Append(missing).ToArray() });

        Assert.Equal(odd.Length, result.Errors.Count);
        foreach (var (error, id) in result.Errors.Zip(odd))
        {
            Assert.Equal("InvalidResourceId,Foundry.Commands.RemoveFoundryManagedResourceCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal(id, error.TargetObject);
            Assert.Contains("Get-FoundryManagedResource", error.ErrorDetails.RecommendedAction);
        }
        var deletion = Assert.Single(result.Objects("FoundryResourceDeletion"));
        Assert.Equal(missing, ModuleRunspace.Prop<string>(deletion, "ResourceId"));
        Assert.Equal(0, module.Host.Cloud.Log.All.Skip(mark).Count(r => r.Mutating));
    }

    private static string Replace(string text, string change)
    {
        var parts = change.Split("=>", 2);
        Assert.Contains(parts[0], text);
        return text.Replace(parts[0], parts[1], StringComparison.Ordinal);
    }
}
