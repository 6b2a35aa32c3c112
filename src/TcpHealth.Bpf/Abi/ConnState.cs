namespace TcpHealth.Bpf;

/// <summary>th_flow.conn_state (TH_CONN_*), from the interface's point of view (src is local).</summary>
public enum ConnState : byte
{
    /// <summary>First packet seen mid-stream.</summary>
    Unknown = 0,

    /// <summary>src sent SYN, waiting for SYN/ACK.</summary>
    SynSent = 1,

    /// <summary>dst sent SYN, src has not answered yet.</summary>
    SynRcvd = 2,

    /// <summary>src sent SYN/ACK, waiting for dst's ACK.</summary>
    SynAckSent = 3,

    Established = 4,

    /// <summary>The SYN was answered by RST.</summary>
    Refused = 5,
}
