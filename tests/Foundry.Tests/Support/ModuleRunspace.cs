using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using Foundry.Emulator;

namespace Foundry.Tests.Support;

/// <summary>
/// The built module (out/Foundry/Foundry.psd1) imported into a real PowerShell 7.6.9 runspace, connected to its own
/// local cloud with a policy whose apps exist there. Commands run as a user would type them.
/// </summary>
public sealed class ModuleRunspace : IAsyncLifetime
{
    public EmulatorHost Host { get; private set; } = null!;
    public Runspace Runspace { get; private set; } = null!;
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "foundry-tests-" + Guid.NewGuid().ToString("n"));
    public string PolicyPath => Path.Combine(Folder, "foundry.policy.json");
    public string AuditPath => Path.Combine(Folder, "audit.jsonl");

    public static string Metadata(string key) => typeof(ModuleRunspace).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>Microsoft.PowerShell.Utility, which pwsh always has (the SMA package alone does not bring it).</summary>
    public static string UtilityModule => typeof(Microsoft.PowerShell.Commands.GetFormatDataCommand).Assembly.Location;

    public static string ManifestPath => Path.Combine(Metadata("FoundryModuleOut"), "Foundry.psd1");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        // FOUNDRY_EMULATOR_PROFILE: the realistic test project runs these module tests against Azure's delays too.
        Host = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            ConnectionFile = Path.Combine(Folder, "connection.json"),
            Realism = Foundry.Emulator.Realism.RealismProfile.FromEnvironment(),
        });
        File.WriteAllText(PolicyPath, Policy(Host.DefaultSubscription));
        foreach (var app in new[] { "func-contoso-dev", "func-contoso-staging", "func-contoso-pr" }) Host.EnsureFunctionApp(Host.DefaultSubscription, "rg-apps", app, "eastus");
        Runspace = RunspaceFactory.CreateRunspace(Session());
        Runspace.Open();
        var connect = Invoke($"Connect-Foundry -Cloud Local -EmulatorConnectionFile '{Path.Combine(Folder, "connection.json")}' -PolicyPath '{PolicyPath}'");
        Assert.Empty(connect.Errors);
    }

    /// <summary>The session pwsh gives (Microsoft.PowerShell.Utility included), with the built module imported unless told not to.</summary>
    public static InitialSessionState Session(bool withModule = true)
    {
        var session = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows()) session.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        session.ImportPSModule(UtilityModule);
        if (withModule) session.ImportPSModule(ManifestPath);
        return session;
    }

    public async Task DisposeAsync()
    {
        Runspace.Dispose();
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A test's leftovers in the temp folder are harmless.
        }
    }

    /// <summary>The AI account endpoint the emulator gave an environment's account.</summary>
    public string AccountEndpoint(string environment)
    {
        lock (Host.Cloud.Sync)
        {
            return Host.Cloud.State.Resources.Values.Single(r => r.Type == "Microsoft.CognitiveServices/accounts" && r.Name.StartsWith($"oai-contoso-{environment}-", StringComparison.Ordinal))
                .Properties["endpoint"]!.GetValue<string>();
        }
    }

    /// <summary>One chat completion on the gpt-4o deployment with <paramref name="key"/>, as an app calls it: the status code.</summary>
    public async Task<int> ChatAsync(string endpoint, string key)
    {
        using var http = new HttpClient(LocalTransport.CreateHandler(Host.CertificateThumbprint, Host.Port));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{endpoint}openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
        {
            Content = new StringContent("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", key);
        return (int)(await http.SendAsync(request)).StatusCode;
    }

    public static string Policy(string subscription) => $$"""
        {
          "app": "contoso",
          "defaults": {
            "subscriptionId": "{{subscription}}",
            "location": "eastus",
            "fallbackLocations": ["swedencentral"],
            "deployments": [ { "name": "gpt-4o", "model": "gpt-4o", "version": "2024-08-06", "sku": "GlobalStandard", "capacity": 10 } ],
            "keyVault": { "create": true },
            "rotation": { "refreshTimeoutSeconds": 5 }
          },
          "environments": {
            "dev": { "apps": [ { "name": "func-contoso-dev", "resourceGroup": "rg-apps" } ] },
            "staging": { "apps": [ { "name": "func-contoso-staging", "resourceGroup": "rg-apps" } ] },
            "pr-*": { "apps": [ { "name": "func-contoso-pr", "resourceGroup": "rg-apps", "shared": true } ] }
          }
        }
        """;

    /// <summary>Runs a script; returns output and every stream.</summary>
    public Result Invoke(string script, IDictionary<string, object?>? variables = null)
    {
        using var powershell = PowerShell.Create(Runspace);
        if (variables is not null)
        {
            foreach (var (name, value) in variables) Runspace.SessionStateProxy.SetVariable(name, value);
        }
        powershell.AddScript(script);
        Collection<PSObject> output;
        try
        {
            output = powershell.Invoke();
        }
        catch (RuntimeException e)
        {
            return new Result(new Collection<PSObject>(), new[] { e.ErrorRecord }, powershell.Streams);
        }
        return new Result(output, powershell.Streams.Error.ToArray(), powershell.Streams);
    }

    private static string Describe(PSPropertyInfo property)
    {
        var value = property.Value;
        return value is System.Collections.IEnumerable sequence and not string ? string.Join(",", sequence.Cast<object?>()) : value?.ToString() ?? "";
    }

    /// <summary>A property of an output object.</summary>
    public static T Prop<T>(PSObject item, string name) => (T)item.Properties[name].Value;

    public sealed record Result(Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, PSDataStreams Streams)
    {
        /// <summary>Output objects of a Foundry.Models type, by name (the test does not load the module's assemblies itself).</summary>
        public IEnumerable<PSObject> Objects(string modelType) => Output.Where(o => o.TypeNames.Count > 0 && o.TypeNames[0] == "Foundry.Models." + modelType);

        /// <summary>Every text the command produced on any stream, for leak checks.</summary>
        public string AllText()
        {
            var parts = new List<string>();
            parts.AddRange(Output.Select(o => o.BaseObject is string s ? s : string.Join(" ", o.Properties.Select(p => $"{p.Name}={Describe(p)}"))));
            parts.AddRange(Errors.Select(e => $"{e} {e.ErrorDetails?.Message} {e.ErrorDetails?.RecommendedAction} {e.Exception}"));
            parts.AddRange(Streams.Verbose.Select(v => v.Message));
            parts.AddRange(Streams.Debug.Select(v => v.Message));
            parts.AddRange(Streams.Warning.Select(v => v.Message));
            parts.AddRange(Streams.Information.Select(v => System.Text.Json.JsonSerializer.Serialize(v.MessageData)));
            parts.AddRange(Streams.Progress.Select(p => $"{p.Activity} {p.StatusDescription}"));
            return string.Join("\n", parts);
        }
    }
}
