using Foundry.Emulator;
using Foundry.Engine.Environments;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>
/// Issue 16 item 8: Resource Manager compares ids case-insensitively, so a policy that writes its subscription GUID in
/// upper case names the same subscription: up, a converged re-run (no write), read, rotate and down all work.
/// </summary>
public sealed class SubscriptionCaseTests
{
    private const string Subscription = "abcdef01-2345-4678-9abc-def012345678";

    [Fact]
    public async Task An_upper_case_subscription_id_in_the_policy_is_the_same_subscription()
    {
        await using var scope = await LocalCloudScope.StartAsync(new EmulatorOptions { Subscriptions = new[] { Subscription } });
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        var policy = LocalCloud.PolicyFor(Subscription.ToUpperInvariant());

        var up = await cloud.Provisioner.ProvisionAsync(LocalCloud.PolicyFor(Subscription), "dev", false, "up", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Equal("Resolved", up.Environment.Apps.Single().ReferenceStatus);
        var mark = cloud.Mark;
        await cloud.Provisioner.ProvisionAsync(policy, "dev", false, "again", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Equal(0, cloud.MutatingSince(mark));

        var checks = await cloud.Inspector.InspectAsync(policy, "dev", NullReporter.Instance, CancellationToken.None);
        Assert.All(checks, check => Assert.True(check.Status == CheckStatus.Passed, $"{check.Check}: {check.Status} {check.Detail}"));
        var read = await cloud.Reader.ReadAsync(policy, "dev", CancellationToken.None);
        Assert.NotNull(read.AccountId);
        Assert.Equal("Resolved", read.Apps.Single().ReferenceStatus);
        var rotation = await cloud.Rotator.RotateAsync(policy, "dev", false, false, "rotate", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Single(rotation.AppsConfirmed);
        var graph = await cloud.Services.Graph.QueryPageAsync(new Foundry.Engine.Graph.GraphQuery(Foundry.Engine.Graph.ManagedResourceQuery.Build("dev"), new[] { Subscription.ToUpperInvariant() }), null, CancellationToken.None);
        Assert.NotEmpty(graph.Items);
        var down = await cloud.Remover.RemoveAsync(policy, "dev", false, "down", LocalCloud.NoAudit, NullReporter.Instance, CancellationToken.None);
        Assert.Equal("Verified", down.Status);
    }
}
