using Foundry.Engine.Environments;

namespace Foundry.Engine.Tests.Lifecycle;

/// <summary>New-FoundryEnvironment's engine against the emulator: create, converge, plan.</summary>
public sealed class UpTests
{
    [Fact]
    public async Task Up_on_an_empty_dev_creates_everything_and_the_app_reference_resolves()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        await cloud.Value.CreateAppAsync("func-contoso-dev");

        var result = await cloud.Value.UpAsync("dev");

        var actions = result.Changes.Select(c => $"{c.Action} {c.ResourceType}").ToList();
        foreach (var expected in new[]
        {
            "Create Microsoft.Resources/resourceGroups", "Create Microsoft.CognitiveServices/accounts", "Create Microsoft.CognitiveServices/accounts/deployments",
            "Create Microsoft.KeyVault/vaults", "Create secret", "Update Microsoft.Web/sites/config", "Refresh Microsoft.Web/sites",
        })
        {
            Assert.Contains(expected, actions);
        }
        Assert.Equal(2, actions.Count(a => a == "Assign Microsoft.Authorization/roleAssignments"));

        var env = result.Environment;
        Assert.Equal("rg-contoso-dev", env.ResourceGroupName);
        Assert.Equal(new[] { "gpt-4o" }, env.Deployments);
        Assert.Equal("key1", env.ActiveKeySlot);
        Assert.NotNull(env.Endpoint);
        Assert.Equal("AZURE-OPENAI-API-KEY", env.SecretName);
        var app = Assert.Single(env.Apps);
        Assert.Equal("Resolved", app.ReferenceStatus);
        Assert.Equal(env.SecretVersion, app.ResolvedSecretVersion);
        Assert.Equal("true", env.Tags["foundry-managed"]);
        Assert.Equal("dev", env.Tags["foundry-env"]);
        Assert.Equal("ai", env.Tags["cost-center"]);

        var settings = cloud.Value.AppSettings("func-contoso-dev");
        Assert.Equal("keep-me", settings["UNRELATED_SETTING"]);
        Assert.StartsWith("@Microsoft.KeyVault(SecretUri=https://", settings["AZURE_OPENAI_API_KEY"]);
        Assert.Contains("/secrets/AZURE-OPENAI-API-KEY/", settings["AZURE_OPENAI_API_KEY"]);
        Assert.Equal(env.Endpoint, settings["AZURE_OPENAI_ENDPOINT"]);
        Assert.Equal("gpt-4o", settings["AZURE_OPENAI_DEPLOYMENT"]);
    }

    [Fact]
    public async Task A_converged_re_run_issues_zero_writes()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        await cloud.Value.CreateAppAsync("func-contoso-dev");
        await cloud.Value.UpAsync("dev");

        var mark = cloud.Value.Mark;
        var again = await cloud.Value.UpAsync("dev");

        Assert.Empty(again.Changes);
        Assert.Equal(0, cloud.Value.MutatingSince(mark));
        Assert.True(cloud.Value.Host.Cloud.Log.All.Count > mark, "the re-run must have read the environment");
    }

    [Fact]
    public async Task WhatIf_plans_every_change_and_writes_nothing()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        await cloud.Value.CreateAppAsync("func-contoso-dev");
        var mark = cloud.Value.Mark;

        var plan = await cloud.Value.UpAsync("dev", whatIf: true);

        Assert.True(plan.WhatIf);
        Assert.Equal(0, cloud.Value.MutatingSince(mark));
        Assert.Contains(plan.Changes, c => c.Action == "Create" && c.ResourceType == "Microsoft.CognitiveServices/accounts");
        Assert.Contains(plan.Changes, c => c.Action == "Create" && c.ResourceType == "secret");
        Assert.Contains(plan.Changes, c => c.ResourceType == "Microsoft.Web/sites/config");
    }

    [Fact]
    public async Task Pr_environments_get_isolated_names_that_carry_the_environment()
    {
        await using var cloud = await LocalCloudScope.StartAsync();
        await cloud.Value.CreateAppAsync("func-contoso-pr");
        var result = await cloud.Value.UpAsync("pr-123");
        Assert.Equal("rg-contoso-pr-123", result.Environment.ResourceGroupName);
        Assert.Contains("pr-123", result.Environment.AccountName);
        Assert.Contains("pr123", result.Environment.KeyVaultName);
        Assert.Equal("Resolved", result.Environment.Apps.Single().ReferenceStatus);
    }
}

/// <summary>Starts a LocalCloud for one test and stops it after.</summary>
public sealed class LocalCloudScope : IAsyncDisposable
{
    private LocalCloudScope(LocalCloud value) => Value = value;

    public LocalCloud Value { get; }

    public static async Task<LocalCloudScope> StartAsync(Foundry.Emulator.EmulatorOptions? options = null) => new(await LocalCloud.StartAsync(options));

    public async ValueTask DisposeAsync() => await Value.DisposeAsync();
}
