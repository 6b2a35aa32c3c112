namespace TcpHealth.Bpf;

/// <summary>Indexes of the per-CPU `counters` map (enum th_counter); <see cref="Abi.CounterCount"/> entries.</summary>
public enum DatapathCounter
{
    /// <summary>Every packet the hooks ran on.</summary>
    Packets = 0,

    /// <summary>TCP packets accounted to a flow.</summary>
    TcpPackets,

    /// <summary>Not IPv4/IPv6 (ARP, LLDP, ...).</summary>
    NonIp,

    /// <summary>IP packets other than TCP (UDP, ICMP, ...), accounted to flows.</summary>
    NonTcp,

    /// <summary>Non-first IP fragments (no TCP header).</summary>
    Fragments,

    /// <summary>Truncated Ethernet/VLAN header, more than 2 VLAN tags.</summary>
    ErrL2,

    /// <summary>Truncated or invalid IPv4/IPv6 header.</summary>
    ErrIp,

    /// <summary>Truncated or too long an IPv6 extension chain.</summary>
    ErrIpv6Ext,

    /// <summary>Truncated TCP header or bad data offset.</summary>
    ErrTcp,

    /// <summary>Malformed TCP options (timestamps ignored).</summary>
    ErrTcpOpts,

    /// <summary>Flows map full: packet not accounted.</summary>
    FlowsNotTracked,

    /// <summary>Pending-timestamp map full: RTT sample lost.</summary>
    TsNotStored,

    /// <summary>RTT histogram map full: sample in min/max/sum only.</summary>
    RttHistNotTracked,

    /// <summary>Timestamp echoes and ICMP echo replies matched.</summary>
    RttSamples,

    /// <summary>Truncated UDP or ICMP header.</summary>
    ErrL4,

    /// <summary>`new_flows` full: user space reads `flow_slots` whole to learn the new flows' keys.</summary>
    NewFlowsLost,
}
