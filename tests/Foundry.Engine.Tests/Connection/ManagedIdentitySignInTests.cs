using Foundry.Emulator;
using Foundry.Emulator.Identity;
using Foundry.Engine.Tests.Lifecycle;

namespace Foundry.Engine.Tests.Connection;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    /// <summary>
    /// Tests that set process environment variables: MSAL's managed-identity source reads IDENTITY_ENDPOINT and
    /// IDENTITY_HEADER from the process itself, so these run alone, after the parallel tests, and restore what they set.
    /// </summary>
    public const string Name = "Process environment";
}

/// <summary>
/// Signing in as Azure Automation's (or App Service's) managed identity: IDENTITY_ENDPOINT and IDENTITY_HEADER point at
/// the emulator's managed-identity endpoint, and an up authenticates through it from start to end.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ManagedIdentitySignInTests
{
    private const string SystemAssignedPrincipal = "3c2b1a00-0000-4000-8000-0000000a070a";
    private const string UserAssignedClientId = "6d5e4f00-0000-4000-8000-00000000c11d";
    private const string UserAssignedPrincipal = "8e7f6a00-0000-4000-8000-0000000a070b";

    [Fact]
    public async Task An_Automation_runbook_s_up_authenticates_through_the_managed_identity_endpoint_from_start_to_end()
    {
        await using var scope = await LocalCloudScope.StartAsync(AutomationCloud());
        var cloud = scope.Value;
        await cloud.CreateAppAsync("func-contoso-dev");
        using var automation = new AutomationSandbox(cloud);

        var result = await AmbientSignInTests.UpAsync(cloud, AmbientSignInTests.Options(cloud, automation.Read));

        Assert.Equal("Resolved", Assert.Single(result.Environment.Apps).ReferenceStatus);
        var identity = AmbientSignInTests.Requests(cloud, TokenEndpointsArea.ManagedIdentityHost);
        Assert.True(identity.Count > 1, $"the managed-identity endpoint was called {identity.Count} time(s)");
        Assert.All(identity, r => Assert.Equal(200, r.Status));
        Assert.All(identity, r => Assert.Contains("api-version=2019-08-01", r.PathAndQuery, StringComparison.Ordinal));
        Assert.DoesNotContain(identity, r => r.PathAndQuery.Contains("client_id=", StringComparison.Ordinal));
        Assert.Empty(AmbientSignInTests.Requests(cloud, TokenEndpointsArea.EntraHost));
        Assert.True(cloud.CountResources(r => r.Type == "Microsoft.Authorization/roleAssignments" && r.Properties?["principalId"]?.ToString() == SystemAssignedPrincipal) > 0);
    }

    [Fact]
    public async Task A_user_assigned_identity_named_by_AZURE_CLIENT_ID_is_the_one_asked_for()
    {
        await using var scope = await LocalCloudScope.StartAsync(AutomationCloud());
        var cloud = scope.Value;
        using var automation = new AutomationSandbox(cloud, ("AZURE_CLIENT_ID", UserAssignedClientId));

        var info = await FoundryEngine.Create(AmbientSignInTests.Options(cloud, automation.Read)).ConnectAsync(CancellationToken.None);

        Assert.Equal(cloud.Subscription, info.SubscriptionId);
        var identity = Assert.Single(AmbientSignInTests.Requests(cloud, TokenEndpointsArea.ManagedIdentityHost));
        Assert.Contains("client_id=" + UserAssignedClientId, identity.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(cloud.Host.Cloud.Log.All, r => r.Service == Foundry.Emulator.Control.ServiceKind.Management && r.Principal == UserAssignedPrincipal);
    }

    private static EmulatorOptions AutomationCloud()
    {
        var options = new EmulatorOptions();
        options.Identity.AccessTokenLifetime = AmbientSignInTests.AccessTokenLifetime;
        options.Identity.ManagedIdentities.Add(new ManagedIdentityBinding(null, SystemAssignedPrincipal));
        options.Identity.ManagedIdentities.Add(new ManagedIdentityBinding(UserAssignedClientId, UserAssignedPrincipal));
        return options;
    }

    /// <summary>An Automation sandbox's variables: set in the process (MSAL reads them there) and offered to Foundry's reader; restored on dispose.</summary>
    private sealed class AutomationSandbox : IDisposable
    {
        private readonly Dictionary<string, string?> previous = new();
        private readonly Dictionary<string, string> variables;

        public AutomationSandbox(LocalCloud cloud, params (string Name, string Value)[] extra)
        {
            variables = new Dictionary<string, string>
            {
                ["IDENTITY_ENDPOINT"] = cloud.Host.ManagedIdentityEndpoint.ToString(),
                ["IDENTITY_HEADER"] = cloud.Host.Cloud.Identity.IdentityHeader,
            };
            foreach (var (name, value) in extra) variables[name] = value;
            foreach (var name in new[] { "IDENTITY_ENDPOINT", "IDENTITY_HEADER" })
            {
                previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, variables[name]);
            }
        }

        public string? Read(string name) => variables.TryGetValue(name, out var value) ? value : null;

        public void Dispose()
        {
            foreach (var (name, value) in previous) Environment.SetEnvironmentVariable(name, value);
        }
    }
}
