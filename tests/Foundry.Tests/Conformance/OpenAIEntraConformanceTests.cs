using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json.Nodes;
using Azure.AI.OpenAI;
using Azure.Core;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// The OpenAI data plane with Entra tokens, driven by the official Azure.AI.OpenAI client: only a principal holding an
/// OpenAI data role on the account (or a parent scope) is served, and only once the assignment has propagated.
/// </summary>
public sealed class OpenAIEntraConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_token_without_a_data_role_gets_azures_PermissionDenied_and_a_group_scoped_OpenAI_User_is_served()
    {
        var account = await OpenAIEntra.AccountAsync(emulator, "rg-entra-roles", "acct-entra-roles");
        var principal = Guid.NewGuid().ToString();
        var chat = OpenAIEntra.Client(emulator, "acct-entra-roles", new JwtCredential(principal)).GetChatClient("gpt-4o");

        var denied = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync("hello"));
        Assert.Equal(401, denied.Status);
        Assert.Equal($"{{\"error\":{{\"code\":\"PermissionDenied\",\"message\":\"The principal `{principal}` lacks the required data action `Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` to perform `POST /openai/deployments/{{deployment-id}}/chat/completions` operation.\"}}}}",
            denied.GetRawResponse()!.Content.ToString());

        // Contributor holds no data actions: still refused.
        await OpenAIEntra.AssignAsync(emulator, account, principal, "b24988ac-6180-42a0-ab88-20f7382dd24c");
        Assert.Equal(401, (await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync("hello"))).Status);

        await OpenAIEntra.AssignAsync(emulator, $"/subscriptions/{emulator.Subscription}/resourceGroups/rg-entra-roles", principal, OpenAIEntra.OpenAIUser);
        var reply = await chat.CompleteChatAsync("hello");
        Assert.Equal("This is a reply from deployment gpt-4o.", reply.Value.Content[0].Text);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused_even_with_the_role()
    {
        var account = await OpenAIEntra.AccountAsync(emulator, "rg-entra-aud", "acct-entra-aud");
        var principal = Guid.NewGuid().ToString();
        await OpenAIEntra.AssignAsync(emulator, account, principal, OpenAIEntra.CognitiveServicesUser);
        var chat = OpenAIEntra.Client(emulator, "acct-entra-aud", new JwtCredential(principal, audience: "https://management.azure.com")).GetChatClient("gpt-4o");

        var denied = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync("hello"));
        Assert.Equal(401, denied.Status);
        Assert.Contains("audience is incorrect (https://cognitiveservices.azure.com)", denied.GetRawResponse()!.Content.ToString());
        var right = OpenAIEntra.Client(emulator, "acct-entra-aud", new JwtCredential(principal)).GetChatClient("gpt-4o");
        Assert.Equal("This is a reply from deployment gpt-4o.", (await right.CompleteChatAsync("hello")).Value.Content[0].Text);
    }

    [Fact]
    public async Task The_api_key_serves_a_local_auth_account_and_disableLocalAuth_leaves_only_entra_tokens()
    {
        var account = await OpenAIEntra.AccountAsync(emulator, "rg-entra-keys", "acct-entra-keys");
        using var http = emulator.Authorized();
        var key = (await http.SendAsync(HttpMethod.Post, $"{account}/listKeys?{OpenAIEntra.Api}")).Body!["key1"]!.GetValue<string>();
        var options = OpenAIEntra.Options(emulator);
        var keyed = new AzureOpenAIClient(OpenAIEntra.Endpoint(emulator, "acct-entra-keys"), new ApiKeyCredential(key), options).GetChatClient("gpt-4o");
        Assert.Equal("This is a reply from deployment gpt-4o.", (await keyed.CompleteChatAsync("hello")).Value.Content[0].Text);

        // Without a role, a token is refused even though the account takes keys.
        var principal = Guid.NewGuid().ToString();
        var tokened = OpenAIEntra.Client(emulator, "acct-entra-keys", new JwtCredential(principal)).GetChatClient("gpt-4o");
        Assert.Equal(401, (await Assert.ThrowsAsync<ClientResultException>(() => tokened.CompleteChatAsync("hello"))).Status);

        Assert.Equal(200, (await http.SendAsync(HttpMethod.Patch, $"{account}?{OpenAIEntra.Api}", "{\"properties\":{\"disableLocalAuth\":true}}")).Status);
        await OpenAIEntra.AssignAsync(emulator, account, principal, OpenAIEntra.OpenAIContributor);
        Assert.Equal(403, (await Assert.ThrowsAsync<ClientResultException>(() => keyed.CompleteChatAsync("hello"))).Status);
        Assert.Equal("This is a reply from deployment gpt-4o.", (await tokened.CompleteChatAsync("hello")).Value.Content[0].Text);
    }
}

/// <summary>Under the realistic profile an OpenAI data role reaches the data plane only after propagation.</summary>
public sealed class OpenAIEntraPropagationTests(RealisticEmulatorFixture emulator) : IClassFixture<RealisticEmulatorFixture>
{
    private static readonly TimeSpan Propagation = RealisticEmulatorFixture.Profile.Local(RealisticEmulatorFixture.Profile.RoleAssignmentPropagation);

    [Fact]
    public async Task A_new_OpenAI_User_assignment_is_refused_until_it_has_propagated()
    {
        var account = await OpenAIEntra.AccountAsync(emulator, "rg-entra-slow", "acct-entra-slow");
        var principal = Guid.NewGuid().ToString();
        var chat = OpenAIEntra.Client(emulator, "acct-entra-slow", new JwtCredential(principal)).GetChatClient("gpt-4o");
        // Refused before any assignment; this call also warms the client, so the timed one below is quick.
        Assert.Equal(401, (await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync("hello"))).Status);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await OpenAIEntra.AssignAsync(emulator, account, principal, OpenAIEntra.OpenAIUser);

        var early = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync("hello"));
        Assert.True(clock.Elapsed < Propagation, $"the first call came after {clock.Elapsed}, past the {Propagation} propagation");
        Assert.Equal(401, early.Status);
        Assert.Contains("PermissionDenied", early.GetRawResponse()!.Content.ToString());

        while (clock.Elapsed < Propagation * 10)
        {
            try
            {
                await chat.CompleteChatAsync("hello");
                break;
            }
            catch (ClientResultException e) when (e.Status == 401)
            {
                await Task.Delay(50);
            }
        }
        Assert.True(clock.Elapsed >= Propagation * 0.9, $"served after {clock.Elapsed}, before the {Propagation} propagation");
        Assert.Equal("This is a reply from deployment gpt-4o.", (await chat.CompleteChatAsync("hello")).Value.Content[0].Text);
    }
}

/// <summary>Accounts, assignments and clients for the OpenAI Entra tests.</summary>
internal static class OpenAIEntra
{
    public const string Api = "api-version=2025-06-01";
    public const string OpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
    public const string OpenAIContributor = "a001fd3d-188f-4b5d-821b-7da978bf7442";
    public const string CognitiveServicesUser = "a97b65f3-24c7-4388-baec-2e87135dc908";

    /// <summary>An OpenAI account with a gpt-4o deployment, created by the operator; returns its id.</summary>
    public static async Task<string> AccountAsync(EmulatorFixture emulator, string group, string name)
    {
        using var http = emulator.Authorized();
        var groupId = $"/subscriptions/{emulator.Subscription}/resourceGroups/{group}";
        Assert.True((await http.SendAsync(HttpMethod.Put, $"{groupId}?api-version=2025-04-01", "{\"location\":\"eastus\"}")).Status is 200 or 201);
        var id = $"{groupId}/providers/Microsoft.CognitiveServices/accounts/{name}";
        var put = await http.SendAsync(HttpMethod.Put, $"{id}?{Api}", $"{{\"kind\":\"OpenAI\",\"sku\":{{\"name\":\"S0\"}},\"location\":\"eastus\",\"properties\":{{\"customSubDomainName\":\"{name}\"}}}}");
        Assert.Equal(201, put.Status);
        Assert.Equal("Succeeded", await http.PollAsync(put.Headers.GetValues("azure-asyncoperation").Single()));
        var deployment = await http.SendAsync(HttpMethod.Put, $"{id}/deployments/gpt-4o?{Api}",
            "{\"sku\":{\"name\":\"GlobalStandard\",\"capacity\":10},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"gpt-4o\",\"version\":\"2024-08-06\"}}}");
        Assert.Equal(201, deployment.Status);
        return id;
    }

    public static async Task AssignAsync(EmulatorFixture emulator, string scope, string principal, string role)
    {
        using var http = emulator.Authorized();
        var assign = await http.SendAsync(HttpMethod.Put, $"{scope}/providers/Microsoft.Authorization/roleAssignments/{Guid.NewGuid()}?api-version=2022-04-01",
            $"{{\"properties\":{{\"roleDefinitionId\":\"/subscriptions/{emulator.Subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}\",\"principalId\":\"{principal}\"}}}}");
        Assert.Equal(201, assign.Status);
    }

    public static Uri Endpoint(EmulatorFixture emulator, string subdomain) => new($"https://{subdomain}.openai.localhost:{emulator.Host.Port}/");

    public static AzureOpenAIClientOptions Options(EmulatorFixture emulator) => new()
    {
        Transport = new HttpClientPipelineTransport(new HttpClient(LocalTransport.CreateHandler(emulator.Host.CertificateThumbprint, emulator.Host.Port))),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    public static AzureOpenAIClient Client(EmulatorFixture emulator, string subdomain, TokenCredential credential) =>
        new(Endpoint(emulator, subdomain), credential, Options(emulator));
}

/// <summary>
/// An Entra-shaped (unsigned) JWT for the principal, issued for the audience the client asks for — or a fixed one, to
/// show what a token minted for another service meets.
/// </summary>
internal sealed class JwtCredential(string principal, string? audience = null) : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var aud = audience ?? requestContext.Scopes.Single().Replace("/.default", "", StringComparison.Ordinal);
        var payload = new JsonObject { ["aud"] = aud, ["oid"] = principal, ["tid"] = Guid.Empty.ToString() };
        return new AccessToken($"{Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Encode(payload.ToJsonString())}.", DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(GetToken(requestContext, cancellationToken));

    private static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
