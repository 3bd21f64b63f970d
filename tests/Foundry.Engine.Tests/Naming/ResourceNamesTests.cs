using System.Text.RegularExpressions;
using Foundry.Engine.Naming;

namespace Foundry.Engine.Tests.Naming;

public sealed class ResourceNamesTests
{
    private const string Sub = "00000000-0000-4000-8000-000000000001";

    [Theory]
    [InlineData("dev")]
    [InlineData("staging")]
    [InlineData("pr-1")]
    [InlineData("pr-1000")]
    [InlineData("pr-9999999")]
    public void Names_respect_each_type_rules(string environment)
    {
        var names = ResourceNames.For("contosoassistant", environment, Sub);
        Assert.Matches("^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])$", names.Account);
        Assert.InRange(names.KeyVault.Length, 3, 24);
        Assert.Matches("^[a-z][a-z0-9-]*[a-z0-9]$", names.KeyVault);
        Assert.DoesNotContain("--", names.KeyVault);
        Assert.StartsWith("rg-", names.ResourceGroup);
        Assert.Contains(environment, names.ResourceGroup);
        Assert.Contains(environment, names.Account);
        Assert.InRange(names.ResourceGroup.Length, 1, 90);
    }

    [Fact]
    public void Names_are_deterministic_and_distinct_across_environments_and_subscriptions()
    {
        Assert.Equal(ResourceNames.For("contoso", "pr-1", Sub).KeyVault, ResourceNames.For("contoso", "pr-1", Sub).KeyVault);
        var all = new[] { "dev", "staging", "pr-1", "pr-10", "pr-100", "pr-1000" }
            .SelectMany(env => new[] { Sub, "00000000-0000-4000-8000-000000000002" }.Select(s => ResourceNames.For("contoso", env, s)))
            .ToList();
        Assert.Equal(all.Count, all.Select(n => n.KeyVault).Distinct().Count());
        Assert.Equal(all.Count, all.Select(n => n.Account).Distinct().Count());
        Assert.StartsWith("ais-", ResourceNames.For("contoso", "dev", Sub, "AIServices").Account);
    }

    [Theory]
    [InlineData("PR-1")]
    [InlineData("pr-")]
    [InlineData("pr-1a")]
    [InlineData("dev;x")]
    [InlineData("prod ")]
    [InlineData("pr-1\n")]
    [InlineData("ｄｅｖ")]
    public void Bad_environment_names_are_refused(string environment)
    {
        Assert.Throws<ArgumentException>(() => ResourceNames.For("contoso", environment, Sub));
        Assert.Throws<ArgumentException>(() => ResourceNames.For("contoso", new string('x', 300), Sub));
    }

    [Fact]
    public void Role_assignment_names_are_stable_guids()
    {
        var a = ResourceNames.RoleAssignmentName("/subscriptions/s/rg/kv", "principal", "4633458b-17de-408a-b874-0445c86b69e6");
        Assert.Equal(a, ResourceNames.RoleAssignmentName("/SUBSCRIPTIONS/s/rg/kv", "PRINCIPAL", "4633458b-17de-408a-b874-0445c86b69e6"));
        Assert.NotEqual(a, ResourceNames.RoleAssignmentName("/subscriptions/s/rg/kv", "other", "4633458b-17de-408a-b874-0445c86b69e6"));
        Assert.Matches(new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), a.ToString());
    }
}
