using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Tests.Module;
using Foundry.Tests.Support;
using Xunit.Abstractions;

namespace Foundry.Tests.Traffic;

/// <summary>
/// What the module itself sends (up, rotate, managed-resource query, down, through the real PowerShell engine)
/// checked by oav against the stored REST specs, so that our requests are held to Azure's contract and not only to
/// what our emulator accepts. Every request is either validated by a spec or belongs to an API with no spec stored.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class ModuleTrafficValidationTests(ModuleRunspace module, ITestOutputHelper output) : IClassFixture<ModuleRunspace>
{
    /// <summary>APIs the module calls for which tests/Specs holds no spec (so oav cannot check them here).</summary>
    private static readonly (string Name, Func<RequestRecord, bool> Matches)[] Unspecified =
    {
        // Up reads the subscription's policy assignments to refuse a keys environment where a policy disables local auth.
        ("Microsoft.Authorization policy assignments (no spec stored)", r => r.PathAndQuery.Contains("/providers/Microsoft.Authorization/policyAssignments", StringComparison.OrdinalIgnoreCase)),
        ("Microsoft.Web (no spec stored)", r => r.PathAndQuery.Contains("/providers/Microsoft.Web/", StringComparison.OrdinalIgnoreCase)),
        ("Microsoft.KeyVault management (no spec stored)", r => r.Service == ServiceKind.Management && r.PathAndQuery.Contains("/providers/Microsoft.KeyVault/", StringComparison.OrdinalIgnoreCase)
                                                              && !r.PathAndQuery.Contains("/providers/Microsoft.Authorization/", StringComparison.OrdinalIgnoreCase)),
        ("long-running operation polling (URLs Azure hands out)", r => Regex.IsMatch(r.PathAndQuery, "/operation(Result|Status)(es)?s?/", RegexOptions.IgnoreCase)),
        ("Azure OpenAI data plane (no spec stored)", r => r.Service == ServiceKind.OpenAI),
        ("Key Vault bearer challenge (unauthenticated first request)", r => r.Service == ServiceKind.KeyVault && r.Status == 401),
        ("Key Vault secret reads whose shape oav cannot map", r => r.Service == ServiceKind.KeyVault && r.Method == "GET" && Regex.IsMatch(r.PathAndQuery, "^/secrets/[^/?]+(/|/versions)?\\?")),
    };

    [Fact]
    public void What_the_module_sends_for_up_rotate_query_and_down_conforms_to_the_REST_specs()
    {
        if (OavRunner.Oav is null)
        {
            Assert.True(Environment.GetEnvironmentVariable("FOUNDRY_REQUIRE_OAV") != "1", "oav is required (FOUNDRY_REQUIRE_OAV=1) but .ci/tools/node_modules is not installed: run npm ci --prefix .ci/tools.");
            output.WriteLine("oav is not installed (npm ci --prefix .ci/tools): traffic validation not run.");
            return;
        }
        var mark = module.Host.Cloud.Log.All.Count;
        foreach (var command in new[]
                 {
                     "New-FoundryEnvironment -Environment pr-8", "Invoke-FoundryKeyRotation -Environment pr-8",
                     "Get-FoundryManagedResource -Environment pr-8 | Out-Null", "Remove-FoundryEnvironment -Environment pr-8 -Confirm:$false",
                 })
        {
            Assert.Empty(module.Invoke(command).Errors);
        }
        var records = module.Host.Cloud.Log.All.Skip(mark).ToList();

        var folder = Path.Combine(Path.GetTempPath(), "foundry-module-traffic-" + Guid.NewGuid().ToString("n"));
        var problems = new List<string>();
        var validated = 0;
        foreach (var spec in OavRunner.Specs)
        {
            var (payloads, found) = OavRunner.Validate(spec, records, folder);
            output.WriteLine($"{spec.Name}: {payloads} requests validated, {found.Count} problems");
            validated += payloads;
            problems.AddRange(found);
        }
        var covered = records.Where(r => OavRunner.Specs.Any(s => s.Covers(r) && r.PathAndQuery.Contains("api-version=" + s.ApiVersion, StringComparison.Ordinal))).ToHashSet();
        var unchecked_ = records.Where(r => !covered.Contains(r)).ToList();
        foreach (var group in Unspecified) output.WriteLine($"not validated: {group.Name}: {unchecked_.Count(group.Matches)}");
        var unaccounted = unchecked_.Where(r => !Unspecified.Any(u => u.Matches(r))).Select(r => $"{r.Method} {r.Host}{r.PathAndQuery}").ToList();
        output.WriteLine($"{records.Count} requests: {validated} validated by a spec, {unchecked_.Count - unaccounted.Count} in APIs with no spec stored, {unaccounted.Count} unaccounted");
        foreach (var problem in problems) output.WriteLine(problem);

        Assert.True(unaccounted.Count == 0, "requests no spec covers: " + string.Join("; ", unaccounted));
        Assert.True(validated > records.Count / 3, $"only {validated} of {records.Count} requests were validated");
        Assert.Empty(problems);
    }
}
