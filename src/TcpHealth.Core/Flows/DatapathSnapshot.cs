namespace TcpHealth.Core.Flows;

/// <summary>Everything one collection read from the kernel: flows and the datapath's own counters.</summary>
public sealed record DatapathSnapshot(
    DateTimeOffset Timestamp,
    IReadOnlyList<FlowSnapshot> Flows,
    DatapathCounters Counters,
    int FlowCapacity);
