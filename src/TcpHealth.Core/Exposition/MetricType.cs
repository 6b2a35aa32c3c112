namespace TcpHealth.Core.Exposition;

/// <summary>The metric types TcpHealth exposes. No summaries: quantiles cannot be aggregated across nodes.</summary>
public enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}
