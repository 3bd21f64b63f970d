using Foundry.Engine.Environments;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Reliability;

/// <summary>
/// up survives failures and races: a failure injected at each of its write steps, then a re-run, ends in the state a
/// clean run reaches (same resources, tags but the run id, settings, secret versions: no orphan, no duplicate); two ups
/// of one environment at once end there too.
/// </summary>
public sealed class UpResilienceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Site = "func-contoso-dev";

    private static async Task<(string Signature, IReadOnlyList<Foundry.Emulator.Control.RequestRecord> Requests)> CleanRunAsync()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        var mark = cloud.Mark;
        await cloud.UpAsync("dev");
        return (StateSignature.Of(cloud), cloud.Host.Cloud.Log.All.Skip(mark).ToList());
    }

    [Fact]
    public async Task A_failure_at_each_write_step_of_up_then_a_re_run_ends_in_the_clean_runs_state()
    {
        var (clean, requests) = await CleanRunAsync();
        var steps = StateSignature.WriteSteps(requests);
        Assert.True(steps.Count >= 9, $"up's write steps: {string.Join(", ", steps.Select(s => $"{s.Method} {s.PathPattern}"))}");
        output.WriteLine($"{steps.Count} write steps of up: {string.Join("; ", steps.Select(s => $"{s.Method} {s.PathPattern}{(s.Skip > 0 ? $" (#{s.Skip + 1})" : "")}"))}");
        foreach (var step in steps)
        {
            await using var scope = await LocalCloudScope.StartAsync();
            var cloud = scope.Value;
            await cloud.CreateAppAsync(Site);
            var fault = cloud.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
            {
                Method = step.Method, Service = step.Service, PathPattern = step.PathPattern, Skip = step.Skip, Status = step.Status, Code = step.Code,
            });
            var failed = await Record.ExceptionAsync(() => cloud.UpAsync("dev"));
            Assert.True(failed is FoundryEngineException, $"{step.Method} {step.PathPattern}: the injected failure should stop the first run ({failed?.GetType().Name}: {failed?.Message})");
            Assert.True(fault.Hits > 0, $"{step.Method} {step.PathPattern} was never hit");
            cloud.Host.Cloud.Faults.Remove(fault.Id);

            var resumed = await cloud.UpAsync("dev");
            Assert.Equal("Resolved", resumed.Environment.Apps.Single().ReferenceStatus);
            Assert.Equal(clean, StateSignature.Of(cloud));
            var mark = cloud.Mark;
            Assert.Empty((await cloud.UpAsync("dev")).Changes);
            Assert.Equal(0, cloud.MutatingSince(mark));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task Two_ups_of_one_environment_at_once_in_one_process_end_as_one_clean_run(int accountCreateMilliseconds)
    {
        var (clean, _) = await CleanRunAsync();
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        cloud.Host.Cloud.Timings.Set("Microsoft.CognitiveServices/accounts:create", TimeSpan.FromMilliseconds(accountCreateMilliseconds));

        var results = await Task.WhenAll(cloud.UpAsync("dev"), cloud.UpAsync("dev"));

        Assert.All(results, r => Assert.Equal("Resolved", r.Environment.Apps.Single().ReferenceStatus));
        Assert.Contains(results, r => r.Changes.Count == 0); // the second waited for the first and found it converged
        Assert.Equal(clean, StateSignature.Of(cloud));
        Assert.Equal("keep-me", cloud.AppSettings(Site)["UNRELATED_SETTING"]);
    }

    [Fact]
    public async Task A_conflict_on_account_creation_with_no_account_being_made_is_reported_not_waited_for()
    {
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        cloud.Host.Cloud.Faults.Add(new Foundry.Emulator.Control.FaultRule
        {
            Method = "PUT", PathPattern = "/providers/Microsoft.CognitiveServices/accounts/[^/?]+(\\?|$)", Status = 409, Code = "RequestConflict", Count = 1,
        });
        var failure = await Assert.ThrowsAsync<FoundryEngineException>(() => cloud.UpAsync("dev"));
        Assert.Equal(Foundry.Engine.Errors.EngineErrorIds.OperationConflict, failure.ErrorId);
        Assert.DoesNotContain(cloud.Host.Cloud.Log.All, r => r.Method == "PUT" && r.PathAndQuery.Contains("/deployments/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_ups_of_one_environment_from_two_processes_converge_with_no_duplicate_resource_or_lost_setting()
    {
        var (clean, _) = await CleanRunAsync();
        await using var scope = await LocalCloudScope.StartAsync();
        var cloud = scope.Value;
        await cloud.CreateAppAsync(Site);
        // Long enough that the second run's account PUT meets the first's creation (409 RequestConflict).
        cloud.Host.Cloud.Timings.Set("Microsoft.CognitiveServices/accounts:create", TimeSpan.FromMilliseconds(300));
        Task<ProvisionResult> UpInOwnProcess() => new EnvironmentProvisioner(cloud.Services, new EnvironmentLocks())
            .ProvisionAsync(cloud.Policy, "dev", false, Guid.NewGuid().ToString("n"), LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);

        var results = await Task.WhenAll(UpInOwnProcess(), UpInOwnProcess());

        Assert.All(results, r => Assert.Equal("Resolved", r.Environment.Apps.Single().ReferenceStatus));
        Assert.Equal(StripVersionCounts(clean), StateSignature.Of(cloud, countSecretVersions: false));
        Assert.Equal("keep-me", cloud.AppSettings(Site)["UNRELATED_SETTING"]);
        // Key Vault has no conditional write: both runs may write a version, but every version holds the same key.
        var keys = cloud.Keys(results[0].Environment.AccountId!);
        lock (cloud.Host.Cloud.Sync)
        {
            var secret = cloud.Host.Cloud.State.Vaults.Values.SelectMany(v => v.Secrets.Values).Single(s => !s.Name.StartsWith("foundry-lease-", StringComparison.OrdinalIgnoreCase));
            Assert.InRange(secret.Versions.Count, 1, 2);
            Assert.All(secret.Versions, v => Assert.Equal(keys.Key1, v.Value));
        }
        var mark = cloud.Mark;
        Assert.Empty((await cloud.UpAsync("dev")).Changes);
        Assert.Equal(0, cloud.MutatingSince(mark));
    }

    private static string StripVersionCounts(string signature) =>
        System.Text.RegularExpressions.Regex.Replace(signature, @": \d+ version\(s\)", "");
}
