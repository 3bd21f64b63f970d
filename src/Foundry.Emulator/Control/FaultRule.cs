using System.Text.RegularExpressions;

namespace Foundry.Emulator.Control;

/// <summary>
/// An injected failure: requests matching method, path and (optionally) principal or service are answered
/// with an Azure-shaped error instead of being served. Count limits how many requests it hits.
/// </summary>
public sealed class FaultRule
{
    public string Id { get; init; } = Guid.NewGuid().ToString("n");
    /// <summary>HTTP method, or null for any.</summary>
    public string? Method { get; init; }
    /// <summary>Regular expression matched (case-insensitively) against the request path.</summary>
    public required string PathPattern { get; init; }
    public ServiceKind? Service { get; init; }
    /// <summary>Only requests made by this principal (token subject) are hit.</summary>
    public string? Principal { get; init; }
    public int Status { get; init; } = 500;
    public string Code { get; init; } = "InternalServerError";
    public string? Message { get; init; }
    /// <summary>Seconds sent in Retry-After.</summary>
    public int? RetryAfterSeconds { get; init; }
    /// <summary>How many matching requests to fail; null for all of them.</summary>
    public int? Count { get; set; }
    /// <summary>Let this many matching requests through before failing (the second write of one shape, say).</summary>
    public int Skip { get; set; }
    /// <summary>Share of matching requests that fail (0–1), drawn from a seeded sequence so runs repeat.</summary>
    public double Probability { get; init; } = 1.0;
    /// <summary>Hold the request this long before answering (stalls).</summary>
    public TimeSpan? Delay { get; init; }

    public int Hits { get; set; }

    /// <summary>The longest <see cref="Delay"/> a rule may hold a request (a stall, not a hang).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    /// <summary>A pattern's match is cut off after this: a rule is checked against every request before it is served.</summary>
    internal static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private Regex? pattern;

    /// <summary>Why this rule cannot be used (an invalid pattern, a status that is not an error…), or null when it can.</summary>
    public string? Problem()
    {
        if (string.IsNullOrEmpty(PathPattern)) return "pathPattern is required.";
        try
        {
            pattern = new Regex(PathPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            return $"pathPattern is not a valid regular expression: {e.Message}";
        }
        if (Status is < 400 or > 599) return $"status must be an HTTP error status (400-599), not {Status}.";
        if (string.IsNullOrWhiteSpace(Code)) return "code is required.";
        if (Count is < 0) return "count must not be negative.";
        if (Skip < 0) return "skip must not be negative.";
        if (Probability is < 0 or > 1 || double.IsNaN(Probability)) return "probability must be between 0 and 1.";
        if (RetryAfterSeconds is < 0 or > 86_400) return "retryAfterSeconds must be between 0 and 86400.";
        if (Delay is { } delay && (delay < TimeSpan.Zero || delay > MaxDelay)) return $"delay must be between 00:00:00 and {MaxDelay:c}.";
        return null;
    }

    internal bool Matches(string method, string path, ServiceKind service, string principal)
    {
        if (Count is <= 0) return false;
        if (Method is not null && !Method.Equals(method, StringComparison.OrdinalIgnoreCase)) return false;
        if (Service is not null && Service != service) return false;
        if (Principal is not null && !Principal.Equals(principal, StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            return (pattern ??= new Regex(PathPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout)).IsMatch(path);
        }
        catch (RegexMatchTimeoutException)
        {
            return false; // A pattern that backtracks for ever matches nothing rather than failing every request.
        }
    }
}

/// <summary>Which Azure surface a request reached, decided by its host name.</summary>
public enum ServiceKind
{
    /// <summary>Resource Manager (localhost / 127.0.0.1).</summary>
    Management,
    /// <summary>Key Vault data plane ({vault}.vault.localhost).</summary>
    KeyVault,
    /// <summary>Azure OpenAI / AI services data plane ({subdomain}.openai.localhost or .cognitiveservices.localhost).</summary>
    OpenAI,
    /// <summary>The emulator's own control surface (/_emulator/… on the management host).</summary>
    Control,
    /// <summary>
    /// Token endpoints: Entra ID (login.localhost), GitHub Actions' ID token service (pipelines.actions.localhost) and
    /// the App Service / Automation managed-identity endpoint (identity.localhost).
    /// </summary>
    Identity,
}
