using System.Text.Json.Nodes;
using Foundry.Emulator.Routing;

namespace Foundry.Emulator.OpenAI;

/// <summary>
/// Which data-plane operations a deployed model serves, and Azure OpenAI's refusals when a call does not fit the
/// model: an embeddings model refuses chat completions and a chat model refuses embeddings (400 OperationNotSupported),
/// and reasoning models (o-series, gpt-5 family) refuse the legacy max_tokens (400 unsupported_parameter), with the
/// bodies Azure sends (recorded in public issue threads: microsoft/graphrag#1557, OpenHands#1003, vscode-copilot-release#8065).
/// </summary>
internal static class ModelOperations
{
    public static bool IsEmbedding(string model) => model.StartsWith("text-embedding", StringComparison.OrdinalIgnoreCase);

    public static bool IsReasoning(string model) =>
        model.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase) && !model.StartsWith("gpt-5-chat", StringComparison.OrdinalIgnoreCase) ||
        model.Length >= 2 && (model[0] is 'o' or 'O') && char.IsDigit(model[1]);

    public static bool ServesChat(string model) => !IsEmbedding(model) && !model.StartsWith("dall-e", StringComparison.OrdinalIgnoreCase);

    /// <summary>Azure's refusal of a chat completion for this model and body, or null when it is served.</summary>
    public static EmulatorResponse? RefuseChat(string model, JsonNode? body)
    {
        if (!ServesChat(model)) return NotSupported("chatCompletion", model);
        if (IsReasoning(model) && body?["max_tokens"] is not null)
        {
            return new EmulatorResponse
            {
                Status = 400,
                ContentType = "application/json",
                Body = new JsonObject
                {
                    ["error"] = new JsonObject
                    {
                        ["message"] = "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                        ["type"] = "invalid_request_error", ["param"] = "max_tokens", ["code"] = "unsupported_parameter",
                    },
                },
            };
        }
        return null;
    }

    /// <summary>An embeddings answer (a short deterministic vector per input), or Azure's refusal for a model that does not embed.</summary>
    public static EmulatorResponse Embed(string deployment, string model, JsonNode? body)
    {
        if (!IsEmbedding(model)) return NotSupported("embeddings", model);
        var inputs = body?["input"] switch
        {
            JsonArray array => array.Select(i => i?.ToString() ?? "").ToList(),
            JsonValue value => new List<string> { value.ToString() },
            _ => null,
        };
        if (inputs is null || inputs.Count == 0)
        {
            return new EmulatorResponse
            {
                Status = 400,
                ContentType = "application/json",
                Body = new JsonObject { ["error"] = new JsonObject { ["message"] = "'input' is a required property", ["type"] = "invalid_request_error", ["param"] = null, ["code"] = null } },
            };
        }
        var tokens = inputs.Sum(i => i.Length / 4 + 1);
        var data = new JsonArray(inputs.Select((input, index) => (JsonNode)new JsonObject
        {
            ["object"] = "embedding",
            ["index"] = index,
            ["embedding"] = new JsonArray(Enumerable.Range(0, 8).Select(d => (JsonNode)JsonValue.Create(((input.GetHashCode() >> d) & 0xff) / 255.0)).ToArray()),
        }).ToArray());
        return new EmulatorResponse
        {
            Status = 200,
            ContentType = "application/json",
            Body = new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = model, ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens } },
        };
    }

    private static EmulatorResponse NotSupported(string operation, string model) => AzureError.OpenAI(400, "OperationNotSupported",
        $"The {operation} operation does not work with the specified model, {model}. Please choose different model and try again. " +
        "You can learn more about which models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.");
}
