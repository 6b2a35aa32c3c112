using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TcpHealth.EndToEnd.Tests.Web;

/// <summary>A temp folder for web config, certificate and key files, removed on dispose.</summary>
public sealed class WebTestFiles : IDisposable
{
    // htpasswd -nbBC 10 user pass
    public const string UserPassHash = "$2y$10$G2veeOzuBjBSdYOMgJLxzezI6QW38IBCx.VG9zDB7dehTgVu/kkWa";

    public string Dir { get; } = Directory.CreateTempSubdirectory("tcphealth-web-").FullName;

    public string Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Self-signed ECDSA server certificate for 127.0.0.1/localhost as cert.pem + key.pem; returns it for thumbprint pinning.</summary>
    public X509Certificate2 WriteSelfSignedCertificate(string certName = "cert.pem", string keyName = "key.pem")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=tcphealth-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        Write(certName, cert.ExportCertificatePem());
        Write(keyName, key.ExportPkcs8PrivateKeyPem());
        return cert;
    }

    /// <summary>Trusts exactly one certificate, by thumbprint: no system store, no name games.</summary>
    public static bool IsPinned(X509Certificate2 pinned, X509Certificate? presented) =>
        presented is not null && string.Equals(presented.GetCertHashString(), pinned.Thumbprint, StringComparison.OrdinalIgnoreCase);

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
