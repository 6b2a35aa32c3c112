namespace TcpHealth.Core.Metrics;

/// <summary>A traffic series: who sent to whom, over which protocol (tcp, udp, icmp, other).</summary>
public readonly record struct TrafficKey(TrafficLabels Labels, string Protocol)
{
    public const string Tcp = "tcp";

    /// <summary>The small fixed set of protocol label values: ICMP and ICMPv6 are both "icmp".</summary>
    public static string ProtocolLabel(byte ipProtocol) => ipProtocol switch
    {
        6 => Tcp,
        17 => "udp",
        1 or 58 => "icmp",
        _ => "other",
    };

    /// <summary>Overflow keeps the protocol, so per-protocol totals stay right.</summary>
    public TrafficKey Overflow => this with { Labels = TrafficLabels.Overflow };
}
