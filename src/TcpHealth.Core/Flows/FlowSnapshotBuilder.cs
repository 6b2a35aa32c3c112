using System.Net;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>Turns the kernel's per-flow records into <see cref="FlowSnapshot"/>s.</summary>
public static class FlowSnapshotBuilder
{
    /// <param name="nowNs">CLOCK_MONOTONIC now, the clock of bpf_ktime_get_ns().</param>
    /// <param name="idle">How long the flow's counters have not moved (see <see cref="FlowActivity"/>).</param>
    public static FlowSnapshot Build(
        in FlowKey key, in Flow flow, in RttHist? hist, string iface, ulong nowNs, TimeSpan idle, TimeSpan handshakeTimeout)
    {
        return new FlowSnapshot(
            iface,
            new IPEndPoint(key.Source, key.SrcPort),
            new IPEndPoint(key.Destination, key.DstPort),
            key.Proto,
            Counters(flow.Tx),
            Counters(flow.Rx),
            Rtt(flow, hist),
            flow.HandshakeRttNs == 0 ? null : Ns(flow.HandshakeRttNs),
            Outcome(flow, nowNs, handshakeTimeout),
            Ns(Since(nowNs, flow.FirstSeenNs)),
            idle)
        {
            Initiator = flow.Initiator switch
            {
                Bpf.Initiator.Src => ConnectionInitiator.Source,
                Bpf.Initiator.Dst => ConnectionInitiator.Destination,
                _ => ConnectionInitiator.Unknown,
            },
            FirstSeenNs = flow.FirstSeenNs,
        };
    }

    private static DirectionCounters Counters(in DirStats d) =>
        new(d.Bytes, d.Packets, d.Segments, d.RetransSegs, d.Resets, d.ZeroWindows);

    private static RttSummary Rtt(in Flow f, in RttHist? hist)
    {
        if (f.RttCount == 0)
            return RttSummary.Empty;
        RttHistogram? h = null;
        if (hist is { } raw && raw.BaseOctave != 0)
            h = new RttHistogram((int)raw.BaseOctave, raw.Below, raw.Above, raw.AsSpan(), f.RttMinNs, f.RttMaxNs);
        return new RttSummary(
            f.RttCount,
            Ns(f.RttMinNs),
            Ns(f.RttSumNs / f.RttCount),
            Ns(f.RttMaxNs),
            h?.Quantile(0.5) is { } p50 ? Ns((ulong)p50) : null,
            h?.Quantile(0.99) is { } p99 ? Ns((ulong)p99) : null,
            h)
        {
            SumNs = f.RttSumNs,
        };
    }

    private static ConnectionOutcome Outcome(in Flow f, ulong nowNs, TimeSpan timeout)
    {
        ulong waitingSince = f.HsStartNs != 0 ? f.HsStartNs : f.FirstSeenNs;
        bool timedOut = Ns(Since(nowNs, waitingSince)) > timeout;
        return f.ConnState switch
        {
            ConnState.Established => ConnectionOutcome.Established,
            ConnState.Refused => ConnectionOutcome.Refused,
            ConnState.SynSent or ConnState.SynRcvd or ConnState.SynAckSent =>
                timedOut ? ConnectionOutcome.NoAnswer : ConnectionOutcome.Pending,
            _ => ConnectionOutcome.Unknown,
        };
    }

    private static ulong Since(ulong now, ulong then) => now > then ? now - then : 0;

    private static TimeSpan Ns(ulong ns) => TimeSpan.FromTicks((long)(ns / 100));
}
