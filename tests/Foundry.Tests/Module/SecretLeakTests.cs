using System.Diagnostics.Tracing;
using System.Text;
using System.Text.RegularExpressions;
using Foundry.Emulator.Control;
using Foundry.Tests.Support;

namespace Foundry.Tests.Module;

/// <summary>
/// FR-003: no key the emulator ever issued appears — whole or as any 8-character fragment — in output objects,
/// errors, verbose/debug/warning/information streams (the -Debug HTTP trace included), progress, the audit file, or the
/// Azure SDK's own HTTP logging.
/// Also: after a rotation the previous key keeps working until the next rotation regenerates it.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class SecretLeakTests(ModuleRunspace module) : IClassFixture<ModuleRunspace>
{
    [Fact]
    public async Task Up_three_rotations_and_down_at_Verbose_and_Debug_leak_no_key_anywhere()
    {
        using var sdkLog = new AzureSdkEvents();
        var keys = new HashSet<string>();
        var texts = new List<string>();
        var debug = new List<string>();
        void Run(string script)
        {
            var result = module.Invoke(script);
            Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => e.ToString())));
            texts.Add(result.AllText());
            debug.AddRange(result.Streams.Debug.Select(d => d.Message));
            lock (module.Host.Cloud.Sync)
            {
                foreach (var k in module.Host.Cloud.State.AccountKeys.Values.Concat(module.Host.Cloud.State.DeletedAccounts.Values.Select(d => d.Keys)))
                {
                    keys.Add(k.Key1);
                    keys.Add(k.Key2);
                }
            }
        }

        var audit = $"-AuditLogPath '{module.AuditPath}' -Verbose -Debug";
        Run($"New-FoundryEnvironment -Environment pr-5 {audit}");
        var endpoint = module.AccountEndpoint("pr-5");
        var key1 = Keys().Key1;
        Run($"Invoke-FoundryKeyRotation -Environment pr-5 {audit}");
        Assert.Equal(200, await module.ChatAsync(endpoint, key1));      // the previous key still works after rotation #1
        Run($"Invoke-FoundryKeyRotation -Environment pr-5 {audit}");
        Assert.Equal(401, await module.ChatAsync(endpoint, key1));      // rotation #2 regenerated it
        Assert.Equal(200, await module.ChatAsync(endpoint, Keys().Key1));
        Run($"Invoke-FoundryKeyRotation -Environment pr-5 {audit}");
        Run($"Get-FoundryEnvironment -Environment pr-5 {audit.Replace($"-AuditLogPath '{module.AuditPath}' ", "")}");
        Run($"Remove-FoundryEnvironment -Environment pr-5 -Confirm:$false {audit}");

        texts.Add(File.ReadAllText(module.AuditPath));
        texts.Add(sdkLog.Text);
        Assert.True(keys.Count >= 5, $"the run should have seen the original keys and three regenerated ones ({keys.Count})");
        Assert.Contains("x-ms-request-id", sdkLog.Text, StringComparison.OrdinalIgnoreCase);   // SDK HTTP logging was really on
        Assert.Contains("\"action\":\"Regenerate accounts\"", texts[^2]);
        // -Debug's HTTP trace was really on (issue 14 item 9) and covered the calls whose bodies carry keys: listKeys,
        // regenerateKey and the secret writes and reads — each with its status, duration and request id.
        Assert.Contains(debug, line => Regex.IsMatch(line, "^HTTP POST https://\\S+/listKeys\\?api-version=[0-9-]+ -> 200 OK in \\d+ ms; x-ms-request-id: \\S+"));
        Assert.Contains(debug, line => Regex.IsMatch(line, "^HTTP POST https://\\S+/regenerateKey\\?api-version=[0-9-]+ -> 200 "));
        Assert.Contains(debug, line => Regex.IsMatch(line, "^HTTP PUT https://\\S+/secrets/AZURE-OPENAI-API-KEY\\?api-version=\\S+ -> 200 .*body \\d+ bytes \\(not shown\\)"));
        Assert.DoesNotContain(debug, line => line.Contains("Bearer", StringComparison.OrdinalIgnoreCase) || line.Contains("api-key:", StringComparison.OrdinalIgnoreCase));

        var everything = string.Join("\n", texts);
        var leaks = keys.SelectMany(key => Enumerable.Range(0, key.Length - 7).Select(i => key.Substring(i, 8))).Where(fragment => everything.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.Empty(leaks);
    }

    /// <summary>
    /// Issue 16 item 3: a service error whose text carries the current key (here: the emulator answering the key
    /// regeneration and the secret write with a 400 that quotes both keys) reaches the operator through every view
    /// PowerShell offers of an error — Get-Error, $Error[0] with its whole InnerException chain, ToString(), ErrorDetails,
    /// Format-List * -Force — and none of them may hold any 8-character fragment of a key.
    /// </summary>
    [Fact]
    public void A_key_inside_a_service_error_never_reaches_Get_Error_or_the_Error_variable()
    {
        Assert.Empty(module.Invoke("New-FoundryEnvironment -Environment pr-8").Errors);
        var (key1, key2) = Keys("pr-8");
        var quoted = $"The value '{key1}' of the request is not valid here (the other key is {key2}).";
        var texts = new List<string>();
        var faults = new[]
        {
            new FaultRule { Method = "POST", PathPattern = "/accounts/oai-contoso-pr-8-[^/]+/regenerateKey$", Status = 400, Code = "BadRequest", Message = quoted, Count = 1 },
            new FaultRule { Method = "PUT", PathPattern = "^/secrets/AZURE-OPENAI-API-KEY$", Service = ServiceKind.KeyVault, Status = 400, Code = "BadParameter", Message = quoted, Count = 1 },
        };
        try
        {
            foreach (var fault in faults)
            {
                module.Host.Cloud.Faults.Add(fault);
                var result = module.Invoke("""
                    $Error.Clear()
                    Invoke-FoundryKeyRotation -Environment pr-8 -ErrorAction SilentlyContinue
                    foreach ($record in @($Error)) {
                        $record | Get-Error | Out-String -Width 4096
                        $record.ToString()
                        $record | Format-List * -Force | Out-String -Width 4096
                        [string]$record.ErrorDetails
                        $record.ErrorDetails.RecommendedAction
                        $exception = $record.Exception
                        while ($exception) {
                            $exception.ToString()
                            $exception | Format-List * -Force | Out-String -Width 4096
                            $exception = $exception.InnerException
                        }
                    }
                    $Error | Out-String -Width 4096
                    """);
                var text = string.Join("\n", result.Output.Select(o => o?.ToString())) + "\n" + result.AllText();
                Assert.Equal(1, fault.Hits);
                Assert.Contains("InvalidRequest", text, StringComparison.Ordinal);            // the failure really reached $Error …
                Assert.Contains("InnerException", text, StringComparison.Ordinal);            // … with an inner exception Get-Error expanded
                Assert.Contains(fault.Code, text, StringComparison.Ordinal);                  // Azure's code and status stay for support
                texts.Add(text);
            }
        }
        finally
        {
            foreach (var fault in faults) module.Host.Cloud.Faults.Remove(fault.Id);
        }
        Assert.Empty(module.Invoke("Remove-FoundryEnvironment -Environment pr-8 -Confirm:$false").Errors);

        var everything = string.Join("\n", texts);
        var leaks = new[] { key1, key2 }.SelectMany(key => Enumerable.Range(0, key.Length - 7).Select(i => key.Substring(i, 8))).Where(fragment => everything.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} key fragment(s) in Get-Error / $Error output");
    }

    /// <summary>Issue 12: the keyless model and the moves between the models leak no key either (the keys still exist on the account while it is keyless).</summary>
    [Fact]
    public void Up_with_keys_the_move_to_entra_rotation_test_and_the_move_back_at_Verbose_and_Debug_leak_no_key_anywhere()
    {
        using var sdkLog = new AzureSdkEvents();
        var entraPolicy = Path.Combine(module.Folder, "foundry.entra.policy.json");
        File.WriteAllText(entraPolicy, ModuleRunspace.Policy(module.Host.DefaultSubscription).Replace("\"keyVault\": { \"create\": true },", "\"keyVault\": { \"create\": true }, \"auth\": \"entra\","));
        var keys = new HashSet<string>();
        var texts = new List<string>();
        void Run(string script)
        {
            var result = module.Invoke(script);
            Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors.Select(e => e.ToString())));
            texts.Add(result.AllText());
            lock (module.Host.Cloud.Sync)
            {
                foreach (var k in module.Host.Cloud.State.AccountKeys.Values) { keys.Add(k.Key1); keys.Add(k.Key2); }
            }
        }

        var streams = "-Verbose -Debug -WarningAction Continue"; // the moves and the keyless rotation warn; -Debug would make a warning ask
        Run($"New-FoundryEnvironment -Environment pr-7 {streams}");
        Run($"New-FoundryEnvironment -Environment pr-7 -PolicyPath '{entraPolicy}' {streams}");
        Run($"Get-FoundryEnvironment -Environment pr-7 -PolicyPath '{entraPolicy}' {streams} | Format-List * | Out-String");
        Run($"Invoke-FoundryKeyRotation -Environment pr-7 -PolicyPath '{entraPolicy}' {streams}");
        Run($"Test-FoundryEnvironment -Environment pr-7 -PolicyPath '{entraPolicy}' {streams} | Format-List * | Out-String");
        Run($"New-FoundryEnvironment -Environment pr-7 {streams}");
        Run($"Invoke-FoundryKeyRotation -Environment pr-7 {streams}");
        Run($"Remove-FoundryEnvironment -Environment pr-7 -Confirm:$false {streams}");

        texts.Add(sdkLog.Text);
        Assert.True(keys.Count >= 3, $"the run should have seen the account's keys and a regenerated one ({keys.Count})");
        Assert.Contains("nothing to rotate", string.Join("\n", texts), StringComparison.Ordinal);
        Assert.Contains("disableLocalAuth true", string.Join("\n", texts), StringComparison.Ordinal); // the move really ran
        var everything = string.Join("\n", texts);
        var leaks = keys.SelectMany(key => Enumerable.Range(0, key.Length - 7).Select(i => key.Substring(i, 8))).Where(fragment => everything.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.Empty(leaks);
    }

    private (string Key1, string Key2) Keys(string environment = "pr-5")
    {
        lock (module.Host.Cloud.Sync)
        {
            var keys = module.Host.Cloud.State.AccountKeys.Single(k => k.Key.Contains(environment, StringComparison.Ordinal)).Value;
            return (keys.Key1, keys.Key2);
        }
    }

    /// <summary>Listens to every Azure SDK event source in the process (the engine's own Azure.Core copy included), at full detail.</summary>
    private sealed class AzureSdkEvents : EventListener
    {
        private readonly StringBuilder text = new();

        public string Text
        {
            get { lock (text) return text.ToString(); }
        }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name.StartsWith("Azure-", StringComparison.Ordinal)) EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            lock (text)
            {
                text.Append(eventData.EventSource.Name).Append(' ').Append(eventData.EventName).Append(' ');
                if (eventData.Payload is not null) foreach (var item in eventData.Payload) text.Append(item is byte[] bytes ? Encoding.UTF8.GetString(bytes) : item).Append(' ');
                text.AppendLine();
            }
        }
    }
}
