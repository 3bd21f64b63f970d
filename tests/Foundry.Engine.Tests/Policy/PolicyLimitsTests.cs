using System.Diagnostics;
using Foundry.Engine.Naming;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Policy;

/// <summary>
/// Issue 16 item 8: hostile or mistaken input is a Foundry error with its path and advice, never a silent merge, an
/// unbounded read or a raw .NET exception — Azure's tag rules, duplicate names, a size cap, a runaway pattern, odd ids.
/// </summary>
public sealed class PolicyLimitsTests
{
    private const string Minimal = PolicyReaderTests.Minimal;

    private static string Tags(int count) => "{ " + string.Join(", ", Enumerable.Range(1, count).Select(i => $"\"tag{i}\": \"v\"")) + " }";

    private static FoundryEngineException Refused(string json)
    {
        var e = Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse(json, "policy.json"));
        Assert.Equal(PolicyReader.PolicyInvalid, e.ErrorId);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
        return e;
    }

    private static string WithTags(string tags) => Minimal.Replace("\"location\": \"eastus\",", $"\"location\": \"eastus\", \"requiredTags\": {tags},");

    [Theory]
    [InlineData("{ \"\": \"x\" }", "environments.dev.requiredTags: a tag name is empty")]
    [InlineData("{ \"  \": \"x\" }", "environments.dev.requiredTags: a tag name is empty")]
    [InlineData("{ \"Owner\": \"a\", \"owner\": \"b\" }", "environments.dev.requiredTags.owner: the same tag name as 'Owner'")]
    [InlineData("{ \"a,b\": \"x\", \"c<d\": \"x\" }", "environments.dev.requiredTags.c<d: tag names are 1–512 characters without")]
    public void Tag_names_follow_Azure_rules(string tags, string expected) => Assert.Contains(expected, Refused(WithTags(tags)).Message);

    [Fact]
    public void At_most_44_required_tags_so_that_with_Foundry_s_own_a_write_stays_within_Azure_s_50()
    {
        Assert.Equal(44, PolicyReader.Parse(WithTags(Tags(44))).For("dev")!.RequiredTags.Count);
        Assert.Contains("environments.dev.requiredTags: 45 tags; at most 44 (Azure allows 50", Refused(WithTags(Tags(45))).Message);
        Assert.Contains("51 tags", Refused(WithTags(Tags(51))).Message);
    }

    [Fact]
    public void A_name_written_twice_is_refused_wherever_it_is()
    {
        var twice = Minimal.Replace("\"environments\": {", "\"environments\": {\n \"dev\": { \"location\": \"westus\" },");
        Assert.Contains("environments: 'dev' is written more than once", Refused(twice).Message);
        var nested = Minimal.Replace("\"capacity\": 10", "\"capacity\": 10, \"capacity\": 20");
        Assert.Contains("environments.dev.deployments[0]: 'capacity' is written more than once", Refused(nested).Message);
    }

    [Fact]
    public void A_pattern_that_backtracks_catastrophically_is_a_policy_problem_not_a_timeout_exception()
    {
        var json = Minimal.Replace("\"app\": \"contoso\",", "\"app\": \"contoso\", \"environmentNamePattern\": \"^(a+)+$\",")
                          .Replace("\"environments\": {", "\"environments\": {\n \"" + new string('a', 40) + "!\": {},");
        Assert.Contains("environmentNamePattern: '^(a+)+$' took longer than 1 s to match", Refused(json).Message);
    }

    [Fact]
    public void A_policy_file_over_1_MiB_is_refused_after_reading_at_most_1_MiB()
    {
        var path = Path.Combine(Path.GetTempPath(), $"foundry-big-{Guid.NewGuid():n}.json");
        File.WriteAllText(path, Minimal + new string(' ', PolicyReader.MaxPolicyBytes));
        try
        {
            var e = Assert.Throws<FoundryEngineException>(() => PolicyReader.Read(path));
            Assert.Equal(PolicyReader.PolicyInvalid, e.ErrorId);
            Assert.Contains("larger than 1 MiB", e.Message);
            Assert.Contains("-PolicyPath", e.RecommendedAction);
            File.WriteAllText(path, Minimal + new string(' ', 1000));
            Assert.NotNull(PolicyReader.Read(path).For("dev"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_device_without_an_end_is_refused_within_a_second()
    {
        if (!File.Exists("/dev/zero")) return;      // Windows has no such device; the size cap test above covers the rule
        var watch = Stopwatch.StartNew();
        var read = Task.Run(() => PolicyReader.Read("/dev/zero"));
        // Bounded, so that unbounded code fails here rather than filling the machine's memory.
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))));
        var e = await Assert.ThrowsAsync<FoundryEngineException>(() => read);
        Assert.Contains("larger than 1 MiB", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{watch.Elapsed}");
    }

    [Theory]
    [InlineData("/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/..", "'.' or '..' segment")]
    [InlineData("/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/../vaults/x", "'.' or '..' segment")]
    [InlineData("/subscriptions/00000000-0000-4000-8000-000000000001/..", "'.' or '..' segment")]
    [InlineData("/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/..", "'.' or '..' segment")]
    [InlineData("/subscriptions/../resourceGroups/rg", "'.' or '..' segment")]
    [InlineData("/subscriptions/not-a-guid/resourceGroups/rg", "does not start with /subscriptions/<subscription-guid>")]
    [InlineData("/subscriptions/00000000-0000-4000-8000-000000000001", "must have the shape")]
    [InlineData("/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups//providers/x/y/z", "empty segment")]
    [InlineData("/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv?api-version=1", "contains ?")]
    public void Odd_resource_ids_are_InvalidResourceId(string id, string expected)
    {
        var e = Assert.Throws<FoundryEngineException>(() => ResourceIdInput.Validate(id));
        Assert.Equal((Foundry.Engine.Errors.EngineErrorIds.InvalidResourceId, FailureKind.InvalidRequest, id), (e.ErrorId, e.Kind, e.Target));
        Assert.Contains(expected, e.Message);
        Assert.Contains("Get-FoundryManagedResource", e.RecommendedAction);
    }

    [Theory]
    [InlineData("/subscriptions/ABCDEF01-2345-4678-9ABC-DEF012345678/resourceGroups/rg-contoso-dev")]
    [InlineData("/subscriptions/abcdef01-2345-4678-9abc-def012345678/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai/deployments/gpt-4o")]
    public void Full_ids_in_any_case_pass(string id) => Assert.Equal(id, ResourceIdInput.Validate(id));
}
