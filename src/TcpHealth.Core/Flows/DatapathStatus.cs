namespace TcpHealth.Core.Flows;

/// <summary>What one collection found besides the flows themselves.</summary>
/// <param name="Flows">Flows in the kernel's table (the expired ones not counted).</param>
public sealed record DatapathStatus(DateTimeOffset Timestamp, DatapathCounters Counters, int Flows, int FlowCapacity);
