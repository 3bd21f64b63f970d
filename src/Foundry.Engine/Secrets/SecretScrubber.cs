namespace Foundry.Engine.Secrets;

/// <summary>
/// The last line of defence for FR-003: every key the Engine reads is registered here, and every text that leaves
/// the Engine (messages, audit records, verbose lines) passes through <see cref="Scrub"/>, which masks any run of
/// 8 or more characters of a registered secret — not only the whole key, so a truncated key cannot slip out either.
/// </summary>
public sealed class SecretScrubber
{
    /// <summary>The shortest fragment of a secret that is masked.</summary>
    public const int FragmentLength = 8;
    private const string Mask = "[REDACTED]";

    private readonly object sync = new();
    private readonly HashSet<string> fragments = new(StringComparer.Ordinal);

    /// <summary>The process-wide scrubber the Engine registers keys with.</summary>
    public static SecretScrubber Shared { get; } = new();

    /// <summary>Registers a secret value (values shorter than 8 characters are ignored: too short to identify).</summary>
    public void Register(string? secret)
    {
        if (secret is null || secret.Length < FragmentLength) return;
        lock (sync)
        {
            for (var i = 0; i + FragmentLength <= secret.Length; i++) fragments.Add(secret.Substring(i, FragmentLength));
        }
    }

    /// <summary>Whether the text contains any fragment of a registered secret.</summary>
    public bool Contains(string? text) => text is not null && FirstHit(text) >= 0;

    /// <summary>The text with every character covered by a registered secret's fragment replaced by a mask.</summary>
    public string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var covered = new bool[text!.Length];
        var any = false;
        lock (sync)
        {
            if (fragments.Count == 0) return text;
            for (var i = 0; i + FragmentLength <= text.Length; i++)
            {
                if (!fragments.Contains(text.Substring(i, FragmentLength))) continue;
                for (var j = i; j < i + FragmentLength; j++) covered[j] = true;
                any = true;
            }
        }
        if (!any) return text;
        var builder = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!covered[i])
            {
                builder.Append(text[i]);
                continue;
            }
            builder.Append(Mask);
            while (i + 1 < text.Length && covered[i + 1]) i++;
        }
        return builder.ToString();
    }

    private int FirstHit(string text)
    {
        lock (sync)
        {
            for (var i = 0; i + FragmentLength <= text.Length; i++)
            {
                if (fragments.Contains(text.Substring(i, FragmentLength))) return i;
            }
        }
        return -1;
    }
}
