using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Foundry.Emulator.State;

namespace Foundry.Emulator.Hosting;

/// <summary>
/// A self-signed certificate made in code, so the emulator needs no dev-cert setup. Clients trust it by
/// pinning its thumbprint; nothing turns certificate validation off globally.
/// </summary>
internal static class EmulatorCertificate
{
    /// <summary>The certificate (with its private key) in the state folder, beside state.json.</summary>
    public const string FileName = "certificate.pfx";

    /// <summary>A kept certificate this close to its end is replaced at the next start rather than served until it lapses.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);

    /// <summary>
    /// The state folder's certificate: the one kept in <paramref name="folder"/> when it is still usable, else a new
    /// one written there 0600 (it holds the private key). Keeping it means a pwsh session that pinned the thumbprint
    /// from connection.json still trusts the emulator after a restart on the same folder.
    /// </summary>
    public static X509Certificate2 LoadOrCreate(string folder, DateTimeOffset now)
    {
        var path = Path.Combine(folder, FileName);
        if (TryLoad(path, now) is { } kept) return kept;
        var created = Create(now);
        PrivateFile.WriteAllBytes(path, created.Export(X509ContentType.Pkcs12));
        return created;
    }

    public static X509Certificate2 Create() => Create(DateTimeOffset.UtcNow);

    private static X509Certificate2 Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Foundry local Azure emulator", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in new[] { "localhost", "*.localhost", "*.vault.localhost", "*.openai.localhost", "*.cognitiveservices.localhost" })
        {
            names.AddDnsName(dns);
        }
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Lifetime));
        // Round-trip through PKCS#12 so Kestrel gets a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The kept certificate, or null when there is none, it is unreadable, lacks its key or is about to lapse.</summary>
    private static X509Certificate2? TryLoad(string path, DateTimeOffset now)
    {
        if (!File.Exists(path)) return null;
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(File.ReadAllBytes(path), null);
        }
        catch (CryptographicException)
        {
            return null; // A damaged file: a new certificate replaces it.
        }
        if (certificate.HasPrivateKey && certificate.NotBefore <= now.UtcDateTime && certificate.NotAfter - RenewBefore > now.UtcDateTime) return certificate;
        certificate.Dispose();
        return null;
    }
}
