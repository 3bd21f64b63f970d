using Foundry.Engine.Connection;
using Foundry.Engine.Environments;
using Foundry.Engine.Naming;
using Foundry.Engine.Policy;

namespace Foundry.Engine.Tests.Connection;

/// <summary>
/// Issue 14's engine pieces, without PowerShell: where the local connection file is looked for (item 7), how the
/// -Debug HTTP trace redacts URLs (item 9), which environment names a policy accepts (item 4), and the full resource
/// ids plan objects carry (item 1).
/// </summary>
public sealed class OperatorConventionsTests
{
    private const string Sub = "00000000-0000-4000-8000-000000000001";

    [Fact]
    public void The_connection_file_is_the_parameter_else_FOUNDRY_EMULATOR_CONNECTION_else_FOUNDRY_LOCAL_DIR_else_the_home_folder()
    {
        var variables = new Dictionary<string, string?> { ["FOUNDRY_LOCAL_DIR"] = Path.Combine("state", "here") };
        string? Lookup(string name) => variables.TryGetValue(name, out var value) ? value : null;

        Assert.Equal(Path.Combine("state", "here", "connection.json"), EmulatorConnection.ResolvePath(null, Lookup));
        Assert.Equal("given.json", EmulatorConnection.ResolvePath("given.json", Lookup));
        variables["FOUNDRY_EMULATOR_CONNECTION"] = "file.json";
        Assert.Equal("file.json", EmulatorConnection.ResolvePath(null, Lookup));
        variables.Clear();
        Assert.EndsWith(Path.Combine(".foundry", "local", "connection.json"), EmulatorConnection.ResolvePath(null, Lookup));
    }

    [Theory]
    [InlineData("https://kv.vault.azure.net/secrets/s?api-version=7.5", "https://kv.vault.azure.net/secrets/s?api-version=7.5")]
    [InlineData("https://x.blob.core.windows.net/c/b?sv=2024&sig=c2VjcmV0&se=1", "https://x.blob.core.windows.net/c/b?sv=REDACTED&sig=REDACTED&se=REDACTED")]
    [InlineData("https://management.azure.com/subscriptions/s/resources?api-version=2021-04-01&$top=5&$skiptoken=abc", "https://management.azure.com/subscriptions/s/resources?api-version=2021-04-01&$top=5&$skiptoken=REDACTED")]
    [InlineData("https://app.azurewebsites.net/api/f?code=hostkey", "https://app.azurewebsites.net/api/f?code=REDACTED")]
    public void The_HTTP_trace_shows_only_harmless_query_values(string url, string shown) =>
        Assert.Equal(shown, HttpTrace.RedactedUrl(new Uri(url)));

    [Theory]
    [InlineData("^(dev|pr-[0-9]{1,3})$", "dev", true)]
    [InlineData("^(dev|pr-[0-9]{1,3})$", "staging", false)]     // the policy's pattern narrows the default
    [InlineData("^(dev|pr-[0-9]{1,3})$", "pr-1234", false)]
    [InlineData("^[a-z-]+[0-9]*$", "qa-west", false)]            // a pattern cannot widen past names resources can carry
    [InlineData(null, "dev\n", false)]                           // the default pattern ends in $, the naming rule in \z
    [InlineData(null, "dev;x", false)]
    [InlineData(null, "pr-7", true)]
    public void Environment_names_must_match_the_policy_pattern_and_the_naming_rule(string? pattern, string name, bool accepted)
    {
        var policy = pattern is null ? null : new FoundryPolicy("contoso", pattern, new Dictionary<string, EnvironmentPolicy>(), "p.json");
        if (accepted)
        {
            EnvironmentNameRule.Validate(policy, name);
            return;
        }
        var error = Assert.Throws<FoundryEngineException>(() => EnvironmentNameRule.Validate(policy, name));
        Assert.Equal((EnvironmentNameRule.EnvironmentNameInvalid, FailureKind.InvalidRequest), (error.ErrorId, error.Kind));
        Assert.False(string.IsNullOrWhiteSpace(error.RecommendedAction));
        Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_resource_ids_are_full_ids_also_for_secrets_named_by_URI_or_bare_name()
    {
        var vaultId = $"/subscriptions/{Sub}/resourceGroups/rg-contoso-dev/providers/Microsoft.KeyVault/vaults/kv-contos-dev-24e84";
        var addresses = new EnvironmentAddresses(Sub, "rg-contoso-dev", "oai-contoso-dev-24e84f", "/subscriptions/x/acct", "rg-contoso-dev", "kv-contos-dev-24e84", vaultId, "AZURE-OPENAI-API-KEY");

        Assert.Equal($"{vaultId}/secrets/AZURE-OPENAI-API-KEY",
            addresses.ResourceIdOf(new PlannedChange("Create", "secret", "https://kv-contos-dev-24e84.vault.azure.net/secrets/AZURE-OPENAI-API-KEY", "missing")));
        Assert.Equal($"{vaultId}/secrets/AZURE-OPENAI-API-KEY", addresses.ResourceIdOf(new PlannedChange("Create", "secret", "AZURE-OPENAI-API-KEY", "missing")));
        Assert.Equal(vaultId, addresses.ResourceIdOf(new PlannedChange("Assign", "Microsoft.Authorization/roleAssignments", "kv-contos-dev-24e84", "app reads")));
        Assert.Equal(vaultId, addresses.ResourceIdOf(new PlannedChange("Create", "Microsoft.KeyVault/vaults", vaultId, "missing")));
    }
}
