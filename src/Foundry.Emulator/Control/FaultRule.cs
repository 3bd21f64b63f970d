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

    internal bool Matches(string method, string path, ServiceKind service, string principal)
    {
        if (Count is <= 0) return false;
        if (Method is not null && !Method.Equals(method, StringComparison.OrdinalIgnoreCase)) return false;
        if (Service is not null && Service != service) return false;
        if (Principal is not null && !Principal.Equals(principal, StringComparison.OrdinalIgnoreCase)) return false;
        return Regex.IsMatch(path, PathPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
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
}
