using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Foundry.Engine.Secrets;

namespace Foundry.Engine.OpenAI;

/// <summary>How a deployment answered one chat completion: the status, and Azure OpenAI's error code and message when it refused.</summary>
public sealed record ChatReply(int Status, string? ErrorCode, string? Message, string? Model)
{
    /// <summary>Whether the deployment answered with a completion.</summary>
    public bool Succeeded => Status == 200;
}

/// <summary>
/// The Azure OpenAI data plane, authenticated by an account key (as the apps call it): one small request the model
/// accepts (a chat completion, with max_completion_tokens for reasoning models, or an embedding) to prove a
/// deployment serves with the key Foundry wired. The key travels only in the api-key header, which Azure.Core
/// redacts from its logs; content logging is off like every other client of the Engine.
/// </summary>
internal sealed class ChatOperations
{
    public const string ApiVersion = "2024-10-21";
    // Reasoning models (o-series, gpt-5) refuse max_tokens with 400 unsupported_parameter; their budget covers the
    // hidden reasoning too, so it is larger (a reply cut short at the budget is still a 200 that proves the key).
    private static readonly byte[] ChatProbe = JsonSerializer.SerializeToUtf8Bytes(new
    {
        messages = new[] { new { role = "user", content = "Reply with OK." } },
        max_tokens = 5,
    });
    private static readonly byte[] ReasoningProbe = JsonSerializer.SerializeToUtf8Bytes(new
    {
        messages = new[] { new { role = "user", content = "Reply with OK." } },
        max_completion_tokens = 16,
    });
    private static readonly byte[] EmbeddingProbe = JsonSerializer.SerializeToUtf8Bytes(new { input = "OK" });

    private readonly HttpPipeline pipeline;
    private readonly HttpPipeline? bearerPipeline;

    /// <param name="options">Transport, retries and diagnostics.</param>
    /// <param name="credential">The operator's credential, for calls made with an Entra token (keyless environments); null: key calls only.</param>
    /// <param name="scope">The Cognitive Services token scope of the cloud (https://cognitiveservices.azure.com/.default in Azure's public cloud).</param>
    public ChatOperations(ClientOptions options, TokenCredential? credential = null, string scope = PublicCloudScope)
    {
        pipeline = HttpPipelineBuilder.Build(options);
        // Azure.Core's bearer policy gets, caches and renews the token, and never logs the Authorization header.
        if (credential is not null) bearerPipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, scope));
    }

    /// <summary>The token scope of Azure OpenAI in Azure's public cloud (https://learn.microsoft.com/azure/ai-services/openai/how-to/managed-identity).</summary>
    public const string PublicCloudScope = "https://cognitiveservices.azure.com/.default";

    /// <summary>One chat completion (or, for an embeddings model, an embedding) with the operator's Entra token instead of a key.</summary>
    public Task<ChatReply> CompleteWithTokenAsync(string endpoint, string deployment, string kind, CancellationToken cancellationToken) =>
        bearerPipeline is null ? throw new InvalidOperationException("No credential for Entra calls.")
        : SendAsync(bearerPipeline, endpoint, deployment, kind == "embeddings" ? "embeddings" : "chat/completions",
            kind == "embeddings" ? EmbeddingProbe : kind == "reasoning" ? ReasoningProbe : ChatProbe, null, cancellationToken);

    /// <summary>One chat completion (max_tokens or, for a reasoning model, max_completion_tokens).</summary>
    public Task<ChatReply> CompleteAsync(string endpoint, string deployment, string apiKey, CancellationToken cancellationToken, bool reasoning = false) =>
        SendAsync(pipeline, endpoint, deployment, "chat/completions", reasoning ? ReasoningProbe : ChatProbe, apiKey, cancellationToken);

    /// <summary>One embeddings request of a single short input.</summary>
    public Task<ChatReply> EmbedAsync(string endpoint, string deployment, string apiKey, CancellationToken cancellationToken) =>
        SendAsync(pipeline, endpoint, deployment, "embeddings", EmbeddingProbe, apiKey, cancellationToken);

    private static async Task<ChatReply> SendAsync(HttpPipeline pipeline, string endpoint, string deployment, string operation, byte[] content, string? apiKey, CancellationToken cancellationToken)
    {
        using var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(new Uri(new Uri(endpoint), $"openai/deployments/{Uri.EscapeDataString(deployment)}/{operation}?api-version={ApiVersion}"));
        if (apiKey is not null) request.Headers.Add("api-key", apiKey);
        request.Headers.Add("Content-Type", "application/json");
        request.Headers.Add("Accept", "application/json");
        request.Content = RequestContent.Create(content);
        try
        {
            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && Errors.CloudReachability.TransportFailure(e) is { } cause)
        {
            // After the pipeline's retries (an AggregateException of every attempt): the endpoint is not reachable from here.
            return new ChatReply(0, "Unreachable", SecretScrubber.Shared.Scrub(cause.Message.Split('\n')[0]), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Azure.Core reports its network timeout as a cancellation the caller did not ask for.
            return new ChatReply(0, "Timeout", "The deployment did not answer within the network timeout.", null);
        }
        var response = message.Response;
        using var json = Parse(response.Content?.ToString());
        var root = json.RootElement;
        if (response.Status == 200) return new ChatReply(200, null, null, Text(root, "model"));
        var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var body) ? body : default;
        return new ChatReply(response.Status, Text(error, "code"), SecretScrubber.Shared.Scrub(Text(error, "message") ?? $"HTTP {response.Status}"), null);
    }

    private static JsonDocument Parse(string? body)
    {
        try
        {
            return JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "{}" : body!);
        }
        catch (JsonException)
        {
            return JsonDocument.Parse("{}");
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Client options for the data-plane pipelines the Engine builds itself (transport, retries, diagnostics set by the Engine).</summary>
internal sealed class DataPlaneOptions : ClientOptions
{
}
