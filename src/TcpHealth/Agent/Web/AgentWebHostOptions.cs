namespace TcpHealth.Agent.Web;

/// <summary>What <see cref="AgentWebHost"/> serves and where.</summary>
public sealed class AgentWebHostOptions
{
    /// <summary>--web.listen-address values (repeatable, like node_exporter's flag); at least one.</summary>
    public required IReadOnlyList<ListenAddress> ListenAddresses { get; init; }

    /// <summary>--web.config.file contents; <see cref="WebConfig.Empty"/> for plain HTTP without auth.</summary>
    public WebConfig WebConfig { get; init; } = WebConfig.Empty;

    public required IMetricsRenderer Renderer { get; init; }

    /// <summary>/readyz answers 200 while this returns true. Called per request: keep it cheap.</summary>
    public Func<bool> IsReady { get; init; } = static () => true;

    /// <summary>Body of the 503 from /readyz, e.g. "datapath not attached yet"; called only when not ready.</summary>
    public Func<string>? NotReadyReason { get; init; }

    /// <summary>Shown on the landing page.</summary>
    public string Version { get; init; } = "unknown";

    /// <summary>How long StopAsync lets in-flight requests finish before connections are cut.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
