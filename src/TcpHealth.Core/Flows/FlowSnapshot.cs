using System.Net;

namespace TcpHealth.Core.Flows;

/// <summary>
/// One flow as read from the kernel at one moment: immutable, in user units. A
/// value, so a collection of thousands of flows allocates nothing per flow.
/// <see cref="Source"/> is the endpoint whose packets leave through the
/// interface's egress (its counters are <see cref="Tx"/>); <see cref="Destination"/>'s
/// are <see cref="Rx"/>. All counters are cumulative over the flow's life. The
/// endpoint objects are shared with other flows' snapshots: do not change them.
/// </summary>
public readonly record struct FlowSnapshot(
    string Interface,
    IPEndPoint Source,
    IPEndPoint Destination,
    byte Protocol,
    DirectionCounters Tx,
    DirectionCounters Rx,
    RttSummary Rtt,
    TimeSpan? HandshakeRtt,
    ConnectionOutcome Outcome,
    TimeSpan Age,
    TimeSpan Idle)
{
    /// <summary>Which side opened the connection, when the handshake was seen.</summary>
    public ConnectionInitiator Initiator { get; init; }

    /// <summary>
    /// When the kernel created this flow entry (CLOCK_MONOTONIC ns): tells a
    /// flow apart from a later one with the same addresses and ports.
    /// </summary>
    public ulong FirstSeenNs { get; init; }

    /// <summary>
    /// Which connection on this flow entry the handshake and outcome belong to: it
    /// changes when the same addresses and ports start a new connection (wraps at 256).
    /// </summary>
    public byte Connection { get; init; }

    /// <summary>
    /// The interface's index: with <see cref="Source"/>, <see cref="Destination"/> and
    /// <see cref="Protocol"/> it names one kernel flow entry, even when an interface
    /// was re-created under the same name.
    /// </summary>
    public uint InterfaceIndex { get; init; }

    /// <summary>
    /// The kernel flow entry (interface index, endpoints, protocol) as a number, unique
    /// while user space follows it: what the metrics keep their per-flow state by, a
    /// cheaper key than the endpoints. A key that vanished and came back gets a new one.
    /// </summary>
    public ulong Id { get; init; }

    public ulong TotalBytes => Tx.Bytes + Rx.Bytes;
}

/// <summary>What one direction of a flow carried (a value: a snapshot allocates no object for it).</summary>
public readonly record struct DirectionCounters(
    ulong Bytes,
    ulong Packets,
    ulong Segments,
    ulong RetransmittedSegments,
    ulong Resets,
    ulong ZeroWindows);

/// <summary>
/// Passive RTT of the path interface → destination → interface, from TCP
/// timestamp echoes and ICMP echoes: the kernel's exact count, sum, min and max,
/// and its histogram, from which quantiles are worked out when asked for (the
/// agent never asks: it exports the buckets). Min, mean, max and quantiles are
/// null without samples, and quantiles without a histogram: never invented. A
/// value, like the snapshot that holds it.
/// </summary>
public readonly record struct RttSummary(ulong Samples, ulong SumNs, ulong MinNs, ulong MaxNs, RttHistogram? Histogram)
{
    public TimeSpan? Min => Samples == 0 ? null : Ns(MinNs);
    public TimeSpan? Mean => Samples == 0 ? null : Ns(SumNs / Samples);
    public TimeSpan? Max => Samples == 0 ? null : Ns(MaxNs);
    public TimeSpan? P50 => Quantile(0.5);
    public TimeSpan? P99 => Quantile(0.99);

    private TimeSpan? Quantile(double q) =>
        Histogram?.Quantile(q) is { } ns ? TimeSpan.FromTicks((long)(ns / 100)) : null;

    private static TimeSpan Ns(ulong ns) => TimeSpan.FromTicks((long)(ns / 100));

    public static RttSummary Empty => default;
}

public enum ConnectionInitiator
{
    Unknown,
    Source,
    Destination,
}

/// <summary>How the connection's handshake went, as far as the interface saw it.</summary>
public enum ConnectionOutcome
{
    /// <summary>The flow was first seen mid-stream.</summary>
    Unknown,
    /// <summary>A SYN is waiting for its answer.</summary>
    Pending,
    Established,
    /// <summary>The SYN was answered by a RST.</summary>
    Refused,
    /// <summary>A SYN got no answer within the handshake timeout.</summary>
    NoAnswer,
}
