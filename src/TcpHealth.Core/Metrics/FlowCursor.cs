using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Metrics;

/// <summary>
/// What <see cref="FlowMetrics"/> remembers of one flow between reads: the
/// values it last added from, what it reported once, and the flow's label
/// keys (resolved once per flow, again only after the identities changed).
/// </summary>
internal sealed class FlowCursor(ulong firstSeenNs)
{
    public ulong FirstSeenNs { get; } = firstSeenNs;
    public DateTimeOffset LastSeen;

    public DirectionCounters Tx, Rx;
    public ulong RttSamples, RttSumNs, RttMaxNs;
    public bool HandshakeReported, ConnectionReported;

    /// <summary>The flow's <see cref="FlowSnapshot.Connection"/> the two flags above are about.</summary>
    public byte Connection;

    /// <summary>The <see cref="FlowMetrics"/> identity generation the keys below were resolved in; 0 = not yet.</summary>
    public int LabelsGeneration;
    public TrafficKey TxKey;

    /// <summary>The remote end's direction: <see cref="TxKey"/> reversed (worked out when used, not kept).</summary>
    public TrafficKey RxKey => new(TxKey.Labels.Reversed, TxKey.Protocol);

    /// <summary>The series of <see cref="TxKey"/> and <see cref="RxKey"/>, once found (see <see cref="SeriesStore{TKey, TSeries}.Get(TKey, DateTimeOffset, ref SeriesHandle{TSeries}?)"/>).</summary>
    public SeriesHandle<TrafficSeries>? TxTraffic, RxTraffic;
    public SeriesHandle<HistogramSeries>? TxRtt;

    /// <summary>The remote end has no agent of its own, so its direction is reported here.</summary>
    public bool ReportRx;

    /// <summary>The keys' <see cref="TrafficLabels.IsCrossZone"/> (the same both ways), worked out with them.</summary>
    public bool CrossZone;
}
