using TcpHealth.Bpf;

namespace TcpHealth.Datapath;

/// <summary>What to attach where, how big the kernel maps are, and when state expires.</summary>
public sealed record DatapathOptions
{
    public required IReadOnlyList<string> Interfaces { get; init; }
    public AttachMode AttachMode { get; init; } = AttachMode.Auto;
    public string ObjectPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "tcphealth.bpf.o");
    public uint MaxFlows { get; init; } = Abi.DefaultMaxFlows;
    public uint MaxRttFlows { get; init; } = Abi.DefaultMaxRttFlows;
    public uint MaxPendingTimestamps { get; init; } = Abi.DefaultMaxPendingTs;

    /// <summary>Flows without a packet for this long are removed from the kernel maps.</summary>
    public TimeSpan FlowIdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// A TSval not echoed within this long will never give a sample (RTT above it is not measured):
    /// the datapath holds a flow's newest one to the same limit (TH_TS_MAX_AGE_NS).
    /// </summary>
    public TimeSpan TimestampTimeout { get; init; } = TimeSpan.FromTicks((long)(Abi.TsMaxAgeNs / 100));

    /// <summary>A SYN unanswered for this long counts as "no answer".</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
