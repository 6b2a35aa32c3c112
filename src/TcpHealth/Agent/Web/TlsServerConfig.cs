using System.Security.Authentication;

namespace TcpHealth.Agent.Web;

/// <summary>tls_server_config: absolute certificate/key paths and the allowed protocol range.</summary>
/// <param name="CertFile">PEM certificate (chain allowed: leaf first), resolved against the config file's folder.</param>
/// <param name="KeyFile">PEM private key for <paramref name="CertFile"/>.</param>
/// <param name="MinVersion">Lowest TLS version offered; exporter-toolkit defaults to TLS 1.2.</param>
/// <param name="MaxVersion">Highest TLS version offered; TLS 1.3 unless configured.</param>
public sealed record TlsServerConfig(
    string CertFile,
    string KeyFile,
    SslProtocols MinVersion = SslProtocols.Tls12,
    SslProtocols MaxVersion = SslProtocols.Tls13)
{
    /// <summary>The flags SslStream wants: every supported version between min and max.</summary>
    public SslProtocols EnabledProtocols =>
        (MinVersion <= SslProtocols.Tls12 && MaxVersion >= SslProtocols.Tls12 ? SslProtocols.Tls12 : SslProtocols.None)
        | (MinVersion <= SslProtocols.Tls13 && MaxVersion >= SslProtocols.Tls13 ? SslProtocols.Tls13 : SslProtocols.None);
}
