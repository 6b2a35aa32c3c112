namespace TcpHealth.Core.Flows;

/// <summary>
/// Takes a collection's flows one at a time, as the session reads them: a
/// consumer that keeps nothing per read (the agent's metrics) needs no list of
/// every flow in the table. A snapshot, and the RTT histogram it views, are
/// valid during the call only: a sink copies what it keeps.
/// </summary>
public interface IFlowSink
{
    /// <summary>A flow in the kernel's table.</summary>
    void Flow(in FlowSnapshot flow);

    /// <summary>A flow read for the last time: idle too long, now removed from the kernel.</summary>
    void Expired(in FlowSnapshot flow);
}
