namespace TcpHealth.Core.Metrics;

/// <summary>
/// One live series of a <see cref="SeriesStore{TKey, TSeries}"/>. A caller
/// that keeps it (a flow's cursor) reaches its series again without hashing
/// the label set, until the TTL drops it.
/// </summary>
public sealed class SeriesHandle<TSeries>(TSeries series)
{
    internal TSeries Series { get; } = series;
    internal DateTimeOffset LastUpdate;
    internal bool Dropped;
}
