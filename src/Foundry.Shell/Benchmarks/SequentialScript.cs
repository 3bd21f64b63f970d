using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using Azure.ResourceManager.Resources;
using Azure.ResourceManager.Resources.Models;
using Azure.Security.KeyVault.Secrets;
using Foundry.Emulator;

namespace Foundry.Shell.Benchmarks;

/// <summary>
/// The baseline of the up benchmark: what a straightforward script does with the plain Azure SDK — the same resources
/// as Foundry's up, one call after another, each long-running one with WaitUntil.Completed and the SDK's default
/// polling. Calls the SDK has no generic shape for (role assignments, listKeys, app settings) go through an
/// Azure.Core pipeline with the same credential.
/// </summary>
internal sealed class SequentialScript
{
    private const string SecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private readonly EmulatorHost host;
    private readonly Resources wanted;
    private readonly ArmClient arm;
    private readonly HttpPipeline pipeline;
    private readonly TokenCredential credential = new LocalToken("local-operator");
    private readonly HttpClientTransport transport;

    public SequentialScript(EmulatorHost host, Resources wanted)
    {
        this.host = host;
        this.wanted = wanted;
        transport = new HttpClientTransport(Loopback(host));
        var options = new ArmClientOptions { Environment = new ArmEnvironment(host.ManagementEndpoint, host.ManagementEndpoint.ToString()), Transport = transport };
        // Known api-versions, as a script would pass them, so GenericResource does not look them up first.
        options.SetApiVersion(new ResourceType("Microsoft.CognitiveServices/accounts"), "2025-06-01");
        options.SetApiVersion(new ResourceType("Microsoft.CognitiveServices/accounts/deployments"), "2025-06-01");
        options.SetApiVersion(new ResourceType("Microsoft.KeyVault/vaults"), "2025-05-01");
        arm = new ArmClient(credential, wanted.Subscription, options);
        var pipelineOptions = new ArmClientOptions { Transport = transport };
        pipeline = HttpPipelineBuilder.Build(pipelineOptions, new BearerTokenAuthenticationPolicy(credential, host.ManagementEndpoint + ".default"));
    }

    /// <summary>Loads and JITs the SDK paths (a read of the missing group) so the timed run measures calls, not start-up.</summary>
    public async Task WarmUpAsync()
    {
        var subscription = await arm.GetDefaultSubscriptionAsync();
        _ = await subscription.GetResourceGroups().ExistsAsync(wanted.Group);
    }

    public async Task RunAsync()
    {
        var sub = wanted.Subscription;
        var subscription = await arm.GetDefaultSubscriptionAsync();
        var groupData = new ResourceGroupData(new AzureLocation(wanted.Location));
        foreach (var tag in wanted.GroupTags) groupData.Tags[tag.Key] = tag.Value;
        await subscription.GetResourceGroups().CreateOrUpdateAsync(WaitUntil.Completed, wanted.Group, groupData);

        var accountId = $"/subscriptions/{sub}/resourceGroups/{wanted.Group}/providers/Microsoft.CognitiveServices/accounts/{wanted.Account}";
        var account = new GenericResourceData(new AzureLocation(wanted.AccountLocation))
        {
            Kind = wanted.Kind,
            Sku = new ResourcesSku { Name = "S0" },
            Identity = new Azure.ResourceManager.Models.ManagedServiceIdentity(Azure.ResourceManager.Models.ManagedServiceIdentityType.SystemAssigned),
            Properties = BinaryData.FromObjectAsJson(new { customSubDomainName = wanted.Subdomain, publicNetworkAccess = "Enabled" }),
        };
        foreach (var tag in wanted.AccountTags) account.Tags[tag.Key] = tag.Value;
        var created = await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, new ResourceIdentifier(accountId), account);
        var endpoint = JsonNode.Parse(created.Value.Data.Properties.ToString())!["endpoint"]!.GetValue<string>();

        foreach (var deployment in wanted.Deployments)
        {
            var data = new GenericResourceData(new AzureLocation(wanted.AccountLocation))
            {
                Sku = new ResourcesSku { Name = deployment.Sku, Capacity = deployment.Capacity },
                Properties = BinaryData.FromObjectAsJson(new { model = new { format = "OpenAI", name = deployment.Model, version = deployment.Version }, versionUpgradeOption = "NoAutoUpgrade" }),
            };
            await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, new ResourceIdentifier($"{accountId}/deployments/{deployment.Name}"), data);
        }

        var vaultId = $"/subscriptions/{sub}/resourceGroups/{wanted.Group}/providers/Microsoft.KeyVault/vaults/{wanted.Vault}";
        var vault = new GenericResourceData(new AzureLocation(wanted.VaultLocation))
        {
            Properties = BinaryData.FromString(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["tenantId"] = host.TenantId,
                ["sku"] = new { family = "A", name = "standard" },
                ["accessPolicies"] = Array.Empty<object>(),
                ["enableRbacAuthorization"] = true,
                ["enableSoftDelete"] = true,
                ["softDeleteRetentionInDays"] = wanted.RetentionDays,
            })),
        };
        foreach (var tag in wanted.VaultTags) vault.Tags[tag.Key] = tag.Value;
        await arm.GetGenericResources().CreateOrUpdateAsync(WaitUntil.Completed, new ResourceIdentifier(vaultId), vault);
        await AssignAsync(vaultId, "local-operator", SecretsOfficer, null);

        var keys = await SendAsync(RequestMethod.Post, $"{accountId}/listKeys?api-version=2025-06-01", null);
        var secrets = new SecretClient(host.VaultUri(wanted.Vault), credential, new SecretClientOptions { Transport = transport });
        var secret = new KeyVaultSecret(wanted.SecretName, keys!["key1"]!.GetValue<string>());
        foreach (var tag in wanted.AccountTags) secret.Properties.Tags[tag.Key] = tag.Value;
        secret.Properties.Tags["foundry-key-slot"] = "key1";
        await secrets.SetSecretAsync(secret);

        foreach (var app in wanted.Apps)
        {
            var siteId = $"/subscriptions/{sub}/resourceGroups/{app.ResourceGroup}/providers/Microsoft.Web/sites/{app.Name}";
            var site = await SendAsync(RequestMethod.Get, $"{siteId}?api-version=2024-11-01", null);
            var settings = (await SendAsync(RequestMethod.Post, $"{siteId}/config/appsettings/list?api-version=2024-11-01", null))!["properties"]!.AsObject();
            foreach (var (name, kind) in app.Settings)
            {
                settings[name] = kind switch
                {
                    "reference" => $"@Microsoft.KeyVault(SecretUri={host.VaultUri(wanted.Vault).ToString().TrimEnd('/')}/secrets/{wanted.SecretName}/)",
                    "endpoint" => endpoint,
                    _ => kind,
                };
            }
            await SendAsync(RequestMethod.Put, $"{siteId}/config/appsettings?api-version=2024-11-01", new JsonObject { ["properties"] = settings.DeepClone() });
            await AssignAsync(vaultId, site!["identity"]!["principalId"]!.GetValue<string>(), SecretsUser, "ServicePrincipal");
            await SendAsync(RequestMethod.Post, $"{siteId}/config/configreferences/appsettings/refresh?api-version=2024-11-01", null);
            while (true)
            {
                var references = await SendAsync(RequestMethod.Get, $"{siteId}/config/configreferences/appsettings?api-version=2024-11-01", null);
                if (references!["value"]!.AsArray().All(r => r!["properties"]!["status"]!.GetValue<string>() == "Resolved")) break;
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private Task<JsonNode?> AssignAsync(string scope, string principal, string role, string? principalType)
    {
        var properties = new JsonObject
        {
            ["roleDefinitionId"] = $"/subscriptions/{wanted.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            ["principalId"] = principal,
        };
        if (principalType is not null) properties["principalType"] = principalType;
        return SendAsync(RequestMethod.Put, $"{scope}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01", new JsonObject { ["properties"] = properties });
    }

    private async Task<JsonNode?> SendAsync(RequestMethod method, string pathAndQuery, JsonNode? body)
    {
        using var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(host.ManagementEndpoint, pathAndQuery));
        message.Request.Headers.Add("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body?.ToJsonString() ?? ""));
        await pipeline.SendAsync(message, CancellationToken.None);
        if (message.Response.Status >= 400) throw new RequestFailedException(message.Response);
        var text = message.Response.Content.ToString();
        return string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);
    }

    private static SocketsHttpHandler Loopback(EmulatorHost host) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == host.CertificateThumbprint,
        },
        // *.vault.localhost and *.openai.localhost are the emulator on loopback.
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    private sealed class LocalToken(string principal) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(principal, DateTimeOffset.UtcNow.AddHours(1));
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(GetToken(requestContext, cancellationToken));
    }

    internal sealed record Deployment(string Name, string Sku, int Capacity, string Model, string Version);

    /// <summary>An app Foundry wired: its settings, each "reference", "endpoint" or the literal value written.</summary>
    internal sealed record App(string ResourceGroup, string Name, IReadOnlyDictionary<string, string> Settings);

    /// <summary>What Foundry's up made for an environment, read from the emulator's state, so the script makes the same.</summary>
    internal sealed record Resources(
        string Subscription, string Group, string Location, Dictionary<string, string> GroupTags,
        string Account, string AccountLocation, string Kind, string Subdomain, Dictionary<string, string> AccountTags, IReadOnlyList<Deployment> Deployments,
        string Vault, string VaultLocation, Dictionary<string, string> VaultTags, int RetentionDays, int VaultRoleAssignments,
        string SecretName, IReadOnlyList<App> Apps)
    {
        public static Resources Capture(EmulatorHost host, string environment)
        {
            lock (host.Cloud.Sync)
            {
                var state = host.Cloud.State;
                var mine = state.Resources.Values.Where(r => r.Tags is not null && r.Tags.TryGetValue("foundry-env", out var e) && e == environment).ToList();
                var group = mine.Single(r => r.Type.Equals("Microsoft.Resources/resourceGroups", StringComparison.OrdinalIgnoreCase));
                var account = mine.Single(r => r.Type == "Microsoft.CognitiveServices/accounts");
                var vault = mine.Single(r => r.Type == "Microsoft.KeyVault/vaults");
                var deployments = state.Resources.Values.Where(r => r.Id.StartsWith(account.Id + "/deployments/", StringComparison.OrdinalIgnoreCase)).OrderBy(r => r.Name)
                    .Select(r => new Deployment(r.Name, r.Sku!["name"]!.GetValue<string>(), r.Sku["capacity"]!.GetValue<int>(),
                        r.Properties["model"]!["name"]!.GetValue<string>(), r.Properties["model"]!["version"]!.GetValue<string>())).ToList();
                var roleAssignments = state.Resources.Values.Count(r => r.Type == "Microsoft.Authorization/roleAssignments" && r.Id.StartsWith(vault.Id + "/", StringComparison.OrdinalIgnoreCase));
                var secret = state.Vaults[vault.Name.ToLowerInvariant()].Secrets.Values.Single(s => !s.IsDeleted).Name;
                var endpoint = account.Properties["endpoint"]?.GetValue<string>();
                var apps = state.Resources.Values.Where(r => r.Type == "Microsoft.Web/sites").Select(site =>
                {
                    var settings = state.AppSettings.GetValueOrDefault(site.Id.ToLowerInvariant()) ?? new Dictionary<string, string>();
                    var written = settings.Where(s => s.Value.Contains(vault.Name, StringComparison.OrdinalIgnoreCase) || s.Value == endpoint || deployments.Any(d => d.Name == s.Value))
                        .ToDictionary(s => s.Key, s => s.Value.StartsWith("@Microsoft.KeyVault(", StringComparison.Ordinal) ? "reference" : s.Value == endpoint ? "endpoint" : s.Value);
                    return new App(site.ResourceGroup!, site.Name, written);
                }).Where(a => a.Settings.Count > 0).ToList();
                return new Resources(group.SubscriptionId, group.Name, group.Location!, Copy(group.Tags), account.Name, account.Location!, account.Kind!,
                    account.Properties["customSubDomainName"]!.GetValue<string>(), Copy(account.Tags), deployments, vault.Name, vault.Location!, Copy(vault.Tags),
                    vault.Properties["softDeleteRetentionInDays"]?.GetValue<int>() ?? 90, roleAssignments, secret, apps);
            }
        }

        /// <summary>Same names, types, tags (but the run id), settings and role assignment count.</summary>
        public bool SameShapeAs(Resources other) =>
            Describe() == other.Describe();

        private string Describe() => JsonSerializer.Serialize(new object[]
        {
            Group, Location, Tags(GroupTags), Account, AccountLocation, Kind, Subdomain, Tags(AccountTags), Deployments, Vault, VaultLocation, Tags(VaultTags), RetentionDays,
            VaultRoleAssignments, SecretName, Apps.Select(a => new { a.ResourceGroup, a.Name, Settings = a.Settings.OrderBy(s => s.Key).ToList() }),
        });

        private static string Tags(Dictionary<string, string> tags) => string.Join(";", tags.Where(t => t.Key != "foundry-run-id").OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}"));

        private static Dictionary<string, string> Copy(Dictionary<string, string>? tags) => tags is null ? new() : new(tags);
    }
}
