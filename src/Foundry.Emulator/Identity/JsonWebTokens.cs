using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Foundry.Emulator.Identity;

/// <summary>
/// The JWTs the local token endpoints issue: HS256 with a key that lives only as long as the emulator process, so the
/// emulator can tell its own tokens from forged or altered ones (as Entra checks GitHub's signature against its JWKS).
/// Clients never validate them; Azure.Identity and MSAL only read the response's expiry.
/// </summary>
public sealed class JsonWebTokens
{
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

    public string Issue(JsonObject claims)
    {
        var header = Encode(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        var payload = Encode(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        return $"{header}.{payload}.{Sign(header, payload)}";
    }

    /// <summary>The claims of a token this emulator signed, or null when it is not a JWT or its signature does not verify.</summary>
    public JsonObject? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        var expected = Encoding.ASCII.GetBytes(Sign(parts[0], parts[1]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2]))) return null;
        try
        {
            return JsonNode.Parse(Decode(parts[1])) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>exp</c> claim of any JWT (signed here or not), or null when there is none.</summary>
    public static DateTimeOffset? ExpiryOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            return JsonNode.Parse(Decode(parts[1]))?["exp"] is JsonValue exp && exp.TryGetValue<long>(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private string Sign(string header, string payload)
    {
        using var hmac = new HMACSHA256(key);
        return Encode(hmac.ComputeHash(Encoding.ASCII.GetBytes(header + "." + payload)));
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Decode(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '='));
    }
}
