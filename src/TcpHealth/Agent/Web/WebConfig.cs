namespace TcpHealth.Agent.Web;

/// <summary>
/// The subset of the Prometheus exporter-toolkit web configuration (--web.config.file) that
/// tcphealth supports: TLS with a certificate/key pair, and basic auth with bcrypt hashes.
/// </summary>
public sealed record WebConfig
{
    /// <summary>No file given: plain HTTP, no authentication (exporter-toolkit's default too).</summary>
    public static WebConfig Empty { get; } = new();

    /// <summary>Null means plain HTTP.</summary>
    public TlsServerConfig? Tls { get; init; }

    /// <summary>User name → bcrypt hash. Empty means no authentication.</summary>
    public IReadOnlyDictionary<string, string> BasicAuthUsers { get; init; } =
        new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The file this came from, for messages; null for <see cref="Empty"/>.</summary>
    public string? SourcePath { get; init; }
}
