using System.Security.Cryptography;
using System.Text;

namespace Foundry.Engine.Secrets;

/// <summary>
/// Compares keys without showing them: a fingerprint is a salted SHA-256 prefix, so the same key gives the same
/// fingerprint within one process (to tell which slot a secret holds) but leaks nothing that matches the key's text.
/// </summary>
public static class KeyFingerprint
{
    // A per-process salt: fingerprints are for comparing within a run, never for storing.
    private static readonly byte[] Salt = RandomSalt();

    /// <summary>A 12-hex-character fingerprint of <paramref name="key"/>.</summary>
    public static string Of(string key)
    {
        if (key is null) throw new ArgumentNullException(nameof(key));
        using var hmac = new HMACSHA256(Salt);
        var hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(key));
        var builder = new StringBuilder(12);
        for (var i = 0; i < 6; i++) builder.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return builder.ToString();
    }

    /// <summary>Whether two keys are equal, in constant time.</summary>
    public static bool Same(string a, string b)
    {
        if (a is null || b is null) return false;
        var x = Encoding.UTF8.GetBytes(a);
        var y = Encoding.UTF8.GetBytes(b);
        if (x.Length != y.Length) return false;
        var diff = 0;
        for (var i = 0; i < x.Length; i++) diff |= x[i] ^ y[i];
        return diff == 0;
    }

    private static byte[] RandomSalt()
    {
        var salt = new byte[32];
        using var rng = RandomNumberGenerator.Create();
        rng.GetBytes(salt);
        return salt;
    }
}
