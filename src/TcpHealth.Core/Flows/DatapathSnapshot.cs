namespace TcpHealth.Core.Flows;

/// <summary>
/// Everything one collection read from the kernel: flows and the datapath's own counters.
/// The session fills the same <see cref="Flows"/> and <see cref="Expired"/> lists again
/// on its next collection: read them before that, and copy the flows (values) you keep.
/// </summary>
public sealed record DatapathSnapshot(
    DateTimeOffset Timestamp,
    IReadOnlyList<FlowSnapshot> Flows,
    DatapathCounters Counters,
    int FlowCapacity)
{
    /// <summary>Flows read for the last time in this collection: idle too long, now removed from the kernel.</summary>
    public IReadOnlyList<FlowSnapshot> Expired { get; init; } = [];

    /// <summary>
    /// Hands the flows to <paramref name="sink"/> as a session's streaming read would. A sink
    /// expects RTT histograms of new samples only: a session's Collect() lists hold totals.
    /// </summary>
    public DatapathStatus SendTo(IFlowSink sink)
    {
        foreach (var f in Flows)
            sink.Flow(f);
        foreach (var f in Expired)
            sink.Expired(f);
        return new DatapathStatus(Timestamp, Counters, Flows.Count, FlowCapacity);
    }
}
