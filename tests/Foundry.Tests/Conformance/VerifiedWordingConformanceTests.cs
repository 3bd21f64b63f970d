using System.ClientModel;
using Azure.AI.OpenAI;
using Foundry.Tests.Support;

namespace Foundry.Tests.Conformance;

/// <summary>
/// Error answers whose wording was checked against Azure's own (docs/emulator.md, "Verified wordings", names the
/// sources), pinned byte for byte through the official clients so the emulator cannot drift from them.
/// </summary>
public sealed class VerifiedWordingConformanceTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Embeddings_with_a_token_lacking_a_data_role_get_401_PermissionDenied_naming_the_embeddings_data_action()
    {
        var account = await OpenAIEntra.AccountAsync(emulator, "rg-words-embed", "acct-words-embed");
        using var http = emulator.Authorized();
        Assert.Equal(201, (await http.SendAsync(HttpMethod.Put, $"{account}/deployments/text-embedding-3-small?{OpenAIEntra.Api}",
            "{\"sku\":{\"name\":\"Standard\",\"capacity\":10},\"properties\":{\"model\":{\"format\":\"OpenAI\",\"name\":\"text-embedding-3-small\",\"version\":\"1\"}}}")).Status);
        var principal = Guid.NewGuid().ToString();
        var embeddings = OpenAIEntra.Client(emulator, "acct-words-embed", new JwtCredential(principal)).GetEmbeddingClient("text-embedding-3-small");

        var denied = await Assert.ThrowsAsync<ClientResultException>(() => embeddings.GenerateEmbeddingAsync("hello"));

        Assert.Equal(401, denied.Status);
        Assert.Equal($"{{\"error\":{{\"code\":\"PermissionDenied\",\"message\":\"The principal `{principal}` lacks the required data action `Microsoft.CognitiveServices/accounts/OpenAI/deployments/embeddings/action` to perform `POST /openai/deployments/{{deployment-id}}/embeddings` operation.\"}}}}",
            denied.GetRawResponse()!.Content.ToString());
    }

    [Fact]
    public async Task A_key_on_a_disableLocalAuth_account_gets_403_AuthenticationTypeDisabled_and_listKeys_regenerateKey_400_BadRequest()
    {
        var account = await OpenAIEntra.AccountAsync(emulator, "rg-words-keyless", "acct-words-keyless");
        using var http = emulator.Authorized();
        var key = (await http.SendAsync(HttpMethod.Post, $"{account}/listKeys?{OpenAIEntra.Api}")).Body!["key1"]!.GetValue<string>();
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Patch, $"{account}?{OpenAIEntra.Api}", "{\"properties\":{\"disableLocalAuth\":true}}")).Status);
        var keyed = new AzureOpenAIClient(OpenAIEntra.Endpoint(emulator, "acct-words-keyless"), new ApiKeyCredential(key), OpenAIEntra.Options(emulator)).GetChatClient("gpt-4o");

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => keyed.CompleteChatAsync("hello"));

        Assert.Equal(403, refused.Status);
        Assert.Equal("{\"error\":{\"code\":\"AuthenticationTypeDisabled\",\"message\":\"Key based authentication is disabled for this resource.\"}}", refused.GetRawResponse()!.Content.ToString());
        var list = await http.SendAsync(HttpMethod.Post, $"{account}/listKeys?{OpenAIEntra.Api}");
        Assert.Equal((400, "BadRequest", "Failed to list key. disableLocalAuth is set to be true"),
            (list.Status, list.Body!["error"]!["code"]!.GetValue<string>(), list.Body["error"]!["message"]!.GetValue<string>()));
        // regenerateKey: status and code as listKeys; its sentence is the one wording here that remains an assumption.
        var regenerate = await http.SendAsync(HttpMethod.Post, $"{account}/regenerateKey?{OpenAIEntra.Api}", "{\"keyName\":\"Key1\"}");
        Assert.Equal((400, "BadRequest"), (regenerate.Status, regenerate.Body!["error"]!["code"]!.GetValue<string>()));
    }
}
