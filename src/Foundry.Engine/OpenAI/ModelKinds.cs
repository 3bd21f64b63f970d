namespace Foundry.Engine.OpenAI;

/// <summary>How a deployment's model is called on the data plane, which decides the smoke test's request.</summary>
public enum ModelKind
{
    /// <summary>A chat model that takes max_tokens (gpt-4o, gpt-4.1, gpt-35-turbo …).</summary>
    Chat,
    /// <summary>A reasoning model: Azure refuses max_tokens with 400 unsupported_parameter and wants max_completion_tokens (o1, o3, o4-mini, gpt-5 …).</summary>
    Reasoning,
    /// <summary>An embeddings model (text-embedding-*): it refuses chat completions with 400 OperationNotSupported; probed through /embeddings.</summary>
    Embedding,
    /// <summary>Anything else (images, audio, realtime, non-OpenAI models): not probed, the check is Skipped with the reason.</summary>
    Other,
}

/// <summary>Classifies a model name as Azure OpenAI's operations accept it.</summary>
public static class ModelKinds
{
    private static readonly string[] NotChat = { "dall-e", "gpt-image", "whisper", "tts", "sora", "gpt-4o-realtime", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-tts", "gpt-realtime", "gpt-audio", "computer-use" };

    /// <summary>The kind of <paramref name="model"/> (the policy's model name, as the models list spells it).</summary>
    public static ModelKind Of(string model)
    {
        var name = model.Trim().ToLowerInvariant();
        if (name.StartsWith("text-embedding", StringComparison.Ordinal)) return ModelKind.Embedding;
        if (NotChat.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)) || name.IndexOf("realtime", StringComparison.Ordinal) >= 0) return ModelKind.Other;
        // gpt-5-chat is the family's non-reasoning chat model; it takes max_completion_tokens as well, so it is probed like the others.
        if (name.StartsWith("gpt-5", StringComparison.Ordinal)) return ModelKind.Reasoning;
        if (name.Length >= 2 && name[0] == 'o' && char.IsDigit(name[1])) return ModelKind.Reasoning;
        if (name.StartsWith("gpt-", StringComparison.Ordinal) || name.StartsWith("gpt4", StringComparison.Ordinal) || name.StartsWith("gpt-35", StringComparison.Ordinal)) return ModelKind.Chat;
        return ModelKind.Other;
    }

    /// <summary>Why a model of kind Other is not probed (the Skipped check's text).</summary>
    public static string SkipReason(string model) =>
        $"Not checked: model '{model}' is neither a chat nor an embeddings model of Azure OpenAI (images, audio, realtime or a non-OpenAI model), and Foundry sends no request it would be billed for or that the model refuses.";

    /// <summary>Why a deployment of a non-OpenAI format is not probed (the Skipped check's text).</summary>
    public static string SkipReasonForFormat(string model, string format) =>
        $"Not checked: model '{model}' has format '{format}' (a Foundry model, not Azure OpenAI); it is served through the Azure AI model inference API, which Foundry's smoke test does not call.";
}
