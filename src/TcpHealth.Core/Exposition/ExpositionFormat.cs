namespace TcpHealth.Core.Exposition;

/// <summary>The two text formats a Prometheus-compatible scraper can ask for.</summary>
public enum ExpositionFormat
{
    /// <summary>Prometheus text format 0.0.4, the default for every scraper that does not ask.</summary>
    PrometheusText004,

    /// <summary>OpenMetrics 1.0.0 text format, only when the scraper asks for it.</summary>
    OpenMetrics100,
}
