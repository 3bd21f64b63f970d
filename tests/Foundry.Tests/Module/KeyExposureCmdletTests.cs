using System.Management.Automation;
using System.Text;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>Find-FoundryKeyExposure in the hosted engine: planted keys found at the right place, never shown; CI failure; -Rotate.</summary>
[Collection(ModuleCollection.Name)]
public sealed class KeyExposureCmdletTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    private string Tree(string name)
    {
        var root = Path.Combine(module.Folder, name);
        Directory.CreateDirectory(root);
        return root;
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Planted_keys_are_found_at_file_and_line_and_no_output_or_stream_shows_them()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-81").Errors);
        var (key1, key2) = Keys("pr-81");
        var root = Tree("planted");
        Write(root, "api/.env", $"AZURE_OPENAI_ENDPOINT=https://contoso.openai.azure.com/\nAZURE_OPENAI_API_KEY={key1}\n");
        Write(root, "logs/app.log", $"info boot\ninfo ready\nwarn request failed; api-key={key2} status=401\n");
        Write(root, "web/dist/main.4c1d.js", "!function(){" + new string('a', 3000) + $"var k=\"{key1}\";fetch(u,{{headers:{{\"api-key\":k}}}})" + "}();\n");
        Write(root, "src/clean.py", "import os\nkey = os.environ['AZURE_OPENAI_API_KEY']\n");

        var result = module.Invoke($"Find-FoundryKeyExposure -Environment pr-81 -Path '{root}' -Verbose -Debug; Find-FoundryKeyExposure pr-81 '{root}' | Format-Table | Out-String -Width 300");

        var findings = result.Objects("FoundryKeyExposure").Select(f => (Relative(root, f), ModuleRunspace.Prop<int>(f, "Line"), ModuleRunspace.Prop<string>(f, "KeySlot"))).ToList();
        Assert.Equal(new[] { ("api/.env", 2, "key1"), ("logs/app.log", 3, "key2"), ("web/dist/main.4c1d.js", 1, "key1") }, findings.OrderBy(f => f.Item1));
        Assert.Equal(22, ModuleRunspace.Prop<int>(result.Objects("FoundryKeyExposure").First(), "Column"));
        var error = Assert.Single(result.Errors.Where(e => e.FullyQualifiedErrorId.StartsWith("KeyExposed,", StringComparison.Ordinal)).Take(1));
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
        Assert.Contains("Invoke-FoundryKeyRotation", error.ErrorDetails.RecommendedAction);
        Assert.Contains("[REDACTED key2]", result.Output.Last().ToString());          // the table view, as an operator sees it
        AssertNoFragment(result.AllText(), key1, key2);
    }

    [Fact]
    public void A_clean_tree_gives_nothing_and_a_missing_path_fails_before_any_Azure_call()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-82").Errors);
        var root = Tree("clean");
        Write(root, "src/app.js", "export const key = process.env.AZURE_OPENAI_API_KEY;\n");

        var clean = module.Invoke($"Find-FoundryKeyExposure -Environment pr-82 -Path '{root}'");
        Assert.Empty(clean.Errors);
        Assert.Empty(clean.Output);

        var mark = module.Host.Cloud.Log.All.Count;
        var missing = module.Invoke($"Find-FoundryKeyExposure -Environment pr-82 -Path '{Path.Combine(root, "nope")}'");
        Assert.Equal("ScanPathNotFound,Foundry.Commands.FindFoundryKeyExposureCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
        Assert.Equal(mark, module.Host.Cloud.Log.All.Count);
    }

    [Fact]
    public void With_ErrorActionPreference_Stop_a_finding_fails_the_step_after_the_findings_were_written()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-83").Errors);
        var root = Tree("ci");
        Write(root, ".env", $"AZURE_OPENAI_API_KEY={Keys("pr-83").Key2}\n");

        var result = module.Invoke($"$ErrorActionPreference = 'Stop'; Find-FoundryKeyExposure -Environment pr-83 -Path '{root}'; 'not reached'");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("KeyExposed,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Output, o => o.ToString() == "not reached");
    }

    [Fact]
    public async Task Rotate_regenerates_the_exposed_active_key_so_it_no_longer_works_and_the_app_keeps_a_valid_one()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-84").Errors);
        var (active, inactive) = Keys("pr-84");                 // up puts key1 in the secret
        var endpoint = module.AccountEndpoint("pr-84");
        var root = Tree("rotate");
        Write(root, "deploy.log", $"setting AZURE_OPENAI_API_KEY={active}\n");

        var whatIf = module.Invoke($"Find-FoundryKeyExposure -Environment pr-84 -Path '{root}' -Rotate -WhatIf");
        Assert.Equal(active, Keys("pr-84").Key1);
        Assert.Single(whatIf.Objects("FoundryKeyExposure"));

        var result = module.Invoke($"Find-FoundryKeyExposure -Environment pr-84 -Path '{root}' -Rotate -Confirm:$false -AuditLogPath '{module.AuditPath}'");

        var revocation = Assert.Single(result.Objects("FoundryKeyRevocation"));
        Assert.Equal(new[] { "key2", "key1" }, ModuleRunspace.Prop<string[]>(revocation, "RegeneratedKeySlots"));
        Assert.Equal(401, await module.ChatAsync(endpoint, active));
        Assert.Equal(401, await module.ChatAsync(endpoint, inactive));
        var now = Keys("pr-84");
        Assert.Equal(200, await module.ChatAsync(endpoint, now.Key2));
        Assert.Equal(now.Key2, ResolvedValue("func-contoso-pr"));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("KeyExposed,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("no longer works", error.ErrorDetails.RecommendedAction);
        Assert.Empty(module.Invoke($"Find-FoundryKeyExposure -Environment pr-84 -Path '{root}'").Output);
        AssertNoFragment(result.AllText() + File.ReadAllText(module.AuditPath), active, inactive, now.Key1, now.Key2);
    }

    private static string Relative(string root, PSObject finding) => Path.GetRelativePath(root, ModuleRunspace.Prop<string>(finding, "Path")).Replace('\\', '/');

    private static void AssertNoFragment(string text, params string[] keys)
    {
        foreach (var key in keys)
        {
            for (var i = 0; i + 8 <= key.Length; i++) Assert.DoesNotContain(key.Substring(i, 8), text, StringComparison.Ordinal);
        }
    }

    private (string Key1, string Key2) Keys(string environment)
    {
        lock (module.Host.Cloud.Sync)
        {
            var keys = module.Host.Cloud.State.AccountKeys.Single(k => k.Key.Contains($"/accounts/oai-contoso-{environment}-", StringComparison.Ordinal)).Value;
            return (keys.Key1, keys.Key2);
        }
    }

    private string? ResolvedValue(string site)
    {
        lock (module.Host.Cloud.Sync)
        {
            var id = $"/subscriptions/{module.Host.DefaultSubscription}/resourceGroups/rg-apps/providers/Microsoft.Web/sites/{site}".ToLowerInvariant();
            return module.Host.Cloud.State.ResolvedReferences.TryGetValue(id, out var references) && references.TryGetValue("AZURE_OPENAI_API_KEY", out var reference) ? reference.Value : null;
        }
    }

}
