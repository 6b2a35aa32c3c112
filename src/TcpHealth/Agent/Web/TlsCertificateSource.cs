using System.Security.Cryptography.X509Certificates;

namespace TcpHealth.Agent.Web;

/// <summary>
/// Hands the server certificate to each TLS handshake, reloading it when cert_file or key_file
/// changes on disk, so a rotated certificate (cert-manager, certbot) is served without a restart.
/// exporter-toolkit re-reads the files on every connection; checking modification times is the cheap
/// equivalent. A rotation caught half-written keeps the previous certificate until the next handshake.
/// </summary>
internal sealed class TlsCertificateSource : IDisposable
{
    private readonly TlsServerConfig _config;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private (DateTime cert, DateTime key) _stamp;

    public TlsCertificateSource(TlsServerConfig config)
    {
        _config = config;
        _stamp = Stamp();
        _current = Load();
    }

    public X509Certificate2 Current
    {
        get
        {
            var stamp = Stamp();
            lock (_lock)
            {
                if (stamp != _stamp)
                {
                    try
                    {
                        var fresh = Load();
                        // The old one may still be in use by a handshake in flight; let the GC finalize it.
                        _current = fresh;
                        _stamp = stamp;
                    }
                    catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException)
                    {
                        // Keep serving the previous pair; retried on the next handshake.
                    }
                }
                return _current;
            }
        }
    }

    private (DateTime, DateTime) Stamp() =>
        (File.GetLastWriteTimeUtc(_config.CertFile), File.GetLastWriteTimeUtc(_config.KeyFile));

    private X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(_config.CertFile, _config.KeyFile);

    public void Dispose() => _current.Dispose();
}
