using System.Reflection;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Policy;

public sealed class PolicyReaderTests
{
    private static readonly string RepoRoot = typeof(PolicyReaderTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FoundryRepoRoot").Value!;

    /// <summary>The smallest valid policy: one environment, one deployment, a created vault.</summary>
    internal const string Minimal = """
        {
          "app": "contoso",
          "environments": {
            "dev": {
              "subscriptionId": "00000000-0000-4000-8000-000000000001",
              "location": "eastus",
              "deployments": [ { "model": "gpt-4o", "version": "2024-08-06", "capacity": 10 } ],
              "keyVault": { "create": true }
            }
          }
        }
        """;

    [Fact]
    public void The_shipped_example_parses_and_pr_environments_use_the_template()
    {
        var policy = PolicyReader.Read(Path.Combine(RepoRoot, "examples", "foundry.policy.json"));
        var dev = policy.For("dev")!;
        Assert.Equal("eastus", dev.Location);
        Assert.False(dev.Ephemeral);
        Assert.False(dev.Purge.Account);
        Assert.Equal("AZURE-OPENAI-API-KEY", dev.SecretName);
        Assert.Equal("AZURE_OPENAI_API_KEY", dev.Apps.Single().KeySetting);
        Assert.Equal(50, policy.For("staging")!.Deployments.Single().Capacity);
        // One app per environment: an app wired by two environments would be re-pointed by each (AppOwnedByOtherEnvironment).
        Assert.NotEqual(dev.Apps.Single().Name, policy.For("staging")!.Apps.Single().Name);
        Assert.False(dev.Apps.Single().Shared);
        var pr = policy.For("pr-123")!;
        Assert.True(pr.Ephemeral);
        Assert.True(pr.Purge.Account);
        Assert.Empty(pr.Apps);
        Assert.Null(policy.For("prod"));
    }

    [Fact]
    public void Auth_is_keys_by_default_entra_from_defaults_and_an_environment_overrides_it()
    {
        Assert.Equal(AuthModel.Keys, PolicyReader.Parse(Minimal).For("dev")!.Auth);
        var json = """
            {
              "app": "contoso",
              "defaults": {
                "subscriptionId": "00000000-0000-4000-8000-000000000001", "location": "eastus", "auth": "entra",
                "deployments": [ { "model": "gpt-4o", "version": "2024-08-06", "capacity": 10 } ], "keyVault": { "create": true }
              },
              "environments": { "dev": {}, "staging": { "auth": "keys", "apps": [ { "name": "func-a", "resourceGroup": "rg", "clientIdSetting": "MY_CLIENT_ID" } ] } }
            }
            """;
        var policy = PolicyReader.Parse(json);
        Assert.Equal(AuthModel.Entra, policy.For("dev")!.Auth);
        Assert.Equal(AuthModel.Keys, policy.For("staging")!.Auth);
        Assert.Equal("MY_CLIENT_ID", policy.For("staging")!.Apps.Single().ClientIdSetting);
        var wrong = Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse(Minimal.Replace("\"location\": \"eastus\",", "\"location\": \"eastus\", \"auth\": \"managed-identity\",")));
        Assert.Contains("environments.dev.auth: 'managed-identity' must be \"keys\" or \"entra\"", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_app_marked_shared_reads_as_shared()
    {
        var json = Minimal.Replace("\"location\": \"eastus\",", "\"location\": \"eastus\", \"apps\": [ { \"name\": \"func-a\", \"resourceGroup\": \"rg\", \"shared\": true } ],");
        Assert.True(PolicyReader.Parse(json).For("dev")!.Apps.Single().Shared);
    }

    [Theory]
    [InlineData("", VaultAccessPolicyMode.Add)]
    [InlineData(", \"accessPolicies\": \"refuse\"", VaultAccessPolicyMode.Refuse)]
    public void An_existing_vault_reads_its_access_policy_mode_add_by_default(string extra, VaultAccessPolicyMode expected)
    {
        var json = Minimal.Replace("\"keyVault\": { \"create\": true }", $"\"keyVault\": {{ \"name\": \"kv-team\", \"resourceGroup\": \"rg\"{extra} }}");
        Assert.Equal(expected, PolicyReader.Parse(json).For("dev")!.KeyVault.AccessPolicies);
    }

    [Theory]
    [InlineData("\"name\": \"kv-team\", \"resourceGroup\": \"rg\", \"accessPolicies\": \"grant\"", "environments.dev.keyVault.accessPolicies: 'grant' must be \"add\" or \"refuse\"")]
    [InlineData("\"create\": true, \"accessPolicies\": \"add\"", "environments.dev.keyVault.accessPolicies: applies to an existing vault only")]
    public void A_wrong_access_policy_mode_is_refused(string vault, string expected)
    {
        var json = Minimal.Replace("\"keyVault\": { \"create\": true }", $"\"keyVault\": {{ {vault} }}");
        Assert.Contains(expected, Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse(json)).Message);
    }

    [Fact]
    public void Defaults_fill_in_sku_name_and_settings()
    {
        var dev = PolicyReader.Parse(Minimal).For("dev")!;
        var deployment = dev.Deployments.Single();
        Assert.Equal(("gpt-4o", "GlobalStandard"), (deployment.Name, deployment.Sku));
        Assert.Equal("OpenAI", dev.AccountKind);
        Assert.Equal(TimeSpan.FromMinutes(5), dev.RefreshTimeout);
    }

    [Theory]
    [InlineData("\"secretName\": \"AZURE_OPENAI_API_KEY\",", "environments.dev.secretName: 'AZURE_OPENAI_API_KEY' is not a legal Key Vault secret name", "use 'AZURE-OPENAI-API-KEY'")]
    [InlineData("\"deploymnets\": [],", "environments.dev.deploymnets: unknown property", "expected one of")]
    [InlineData("\"location\": \"East US\",", "environments.dev.location: 'East US' is not a region name", null)]
    [InlineData("\"requiredTags\": { \"foundry-env\": \"x\" },", "environments.dev.requiredTags.foundry-env: tag names starting with 'foundry-' are reserved", null)]
    [InlineData("\"apps\": [ { \"name\": \"-bad\", \"resourceGroup\": \"rg\" } ],", "environments.dev.apps[0].name: '-bad' is not a valid site name", null)]
    [InlineData("\"purge\": { \"account\": \"yes\" },", "environments.dev.purge.account: must be true or false", null)]
    [InlineData("\"apps\": [ { \"name\": \"func-a\", \"resourceGroup\": \"rg\", \"shared\": \"yes\" } ],", "environments.dev.apps[0].shared: must be true or false", null)]
    public void Each_problem_names_its_field(string extra, string expected, string? hint)
    {
        var json = Minimal.Replace("\"location\": \"eastus\",", extra.StartsWith("\"location\"", StringComparison.Ordinal) ? extra : "\"location\": \"eastus\", " + extra);
        var e = Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse(json, "policy.json"));
        Assert.Equal(PolicyReader.PolicyInvalid, e.ErrorId);
        Assert.Equal(FailureKind.InvalidRequest, e.Kind);
        Assert.Contains(expected, e.Message);
        if (hint is not null) Assert.Contains(hint, e.Message);
        Assert.Equal("policy.json", e.Target);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var json = """
            { "app": "Contoso_1", "environments": { "PR-1": { "subscriptionId": "nope", "deployments": [ { "model": "gpt-4o", "capacity": 0, "sku": "Cheap" } ], "keyVault": { "create": true, "name": "kv" } } } }
            """;
        var e = Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse(json));
        foreach (var expected in new[]
        {
            "app: 'Contoso_1'", "environments.PR-1: the name does not match", "environments.PR-1.subscriptionId: 'nope' is not a GUID",
            "environments.PR-1.location: required", "environments.PR-1.deployments[0].version: required", "environments.PR-1.deployments[0].sku: 'Cheap'",
            "environments.PR-1.deployments[0].capacity", "environments.PR-1.keyVault: either create a vault or name an existing one",
        })
        {
            Assert.Contains(expected, e.Message);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{ \"app\": ")]
    [InlineData("[]")]
    [InlineData("{ \"app\": \"contoso\" }")]
    public void Malformed_or_incomplete_files_are_refused(string json)
    {
        var e = Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse(json));
        Assert.Equal(PolicyReader.PolicyInvalid, e.ErrorId);
    }

    [Fact]
    public void A_missing_file_is_PolicyNotFound()
    {
        var e = Assert.Throws<FoundryEngineException>(() => PolicyReader.Read(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("n"), "policy.json")));
        Assert.Equal(PolicyReader.PolicyNotFound, e.ErrorId);
    }
}

public sealed class PolicyDefaultsAttributionTests
{
    [Fact]
    public void A_problem_in_defaults_is_reported_once_at_its_defaults_path()
    {
        var json = """
            { "app": "contoso",
              "defaults": { "subscriptionId": "00000000-0000-4000-8000-000000000001", "location": "eastus", "keyVault": { "create": true },
                            "deployments": [ { "model": "gpt-4o", "version": "1", "capacity": 0 } ] },
              "environments": { "dev": {}, "staging": {}, "pr-*": { "location": "East US" } } }
            """;
        var e = Assert.Throws<FoundryEngineException>(() => PolicyReader.Parse(json));
        Assert.Contains("defaults.deployments[0].capacity", e.Message);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Message, "deployments\\[0\\]\\.capacity"));
        Assert.Contains("environments.pr-*.location: 'East US'", e.Message);
        Assert.Contains("has 2 problem(s)", e.Message);
    }
}
