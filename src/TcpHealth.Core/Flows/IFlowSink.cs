namespace TcpHealth.Core.Flows;

/// <summary>
/// Takes a collection's flows one at a time, as the session reads them: a
/// consumer that keeps nothing per read (the agent's metrics) needs no list of
/// every flow in the table. A snapshot, and the RTT histogram it views, are
/// valid during the call only: a sink copies what it keeps.
///
/// The histogram holds the samples that are new since the flow's last read,
/// taken out of the kernel's record as it was read (<see cref="RttSampleDrain"/>);
/// the RTT summary's count, sum, min and max stay the flow's totals.
/// </summary>
public interface IFlowSink
{
    /// <summary>A flow in the kernel's table.</summary>
    void Flow(in FlowSnapshot flow);

    /// <summary>A flow read for the last time: idle too long, now removed from the kernel.</summary>
    void Expired(in FlowSnapshot flow);
}
