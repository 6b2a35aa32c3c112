using System.Runtime.CompilerServices;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>Turns the kernel's per-flow records into <see cref="FlowSnapshot"/>s.</summary>
public static class FlowSnapshotBuilder
{
    /// <summary>
    /// A snapshot of a flow with its RTT record at <paramref name="hists"/>[<paramref name="histIndex"/>]
    /// (-1: none): the snapshot's histogram views that entry rather than copying it, so the caller
    /// must not reuse it while the snapshot is in use.
    /// </summary>
    /// <param name="nowNs">CLOCK_MONOTONIC now, the clock of bpf_ktime_get_ns().</param>
    /// <param name="reading">The flow's widened counters and idle time (see <see cref="FlowHistory"/>).</param>
    [MethodImpl(HotPath.JitCompiled)]
    public static FlowSnapshot Build(
        in FlowKey key, in Flow flow, RttHist[] hists, int histIndex, ulong nowNs, FlowReading reading, TimeSpan handshakeTimeout)
    {
        return new FlowSnapshot(
            reading.Interface,
            reading.Source,
            reading.Destination,
            key.Proto,
            reading.Tx,
            reading.Rx,
            histIndex < 0 ? RttSummary.Empty : Rtt(hists, histIndex),
            flow.HandshakeRttNs == 0 ? null : Ns(flow.HandshakeRttNs),
            Outcome(flow, reading.FirstSeenNs, nowNs, handshakeTimeout),
            Ns(Since(nowNs, reading.FirstSeenNs)),
            reading.Idle)
        {
            Initiator = flow.Initiator switch
            {
                Bpf.Initiator.Src => ConnectionInitiator.Source,
                Bpf.Initiator.Dst => ConnectionInitiator.Destination,
                _ => ConnectionInitiator.Unknown,
            },
            FirstSeenNs = reading.FirstSeenNs,
            InterfaceIndex = key.IfIndex,
            Id = reading.Id,
            Connection = flow.Connections,
        };
    }

    [MethodImpl(HotPath.JitCompiled)]
    private static RttSummary Rtt(RttHist[] hists, int index)
    {
        ref readonly var r = ref hists[index];
        if (r.Count == 0)
            return RttSummary.Empty;
        return new RttSummary(
            r.Count, r.SumNs, r.MinNs, r.MaxNs,
            RttHistogram.HasWindow(r) ? new RttHistogram(hists, index) : null);
    }

    private static ConnectionOutcome Outcome(in Flow f, ulong firstSeenNs, ulong nowNs, TimeSpan timeout)
    {
        ulong waitingSince = f.HandshakeStartNs != 0 ? f.HandshakeStartNs : firstSeenNs;
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
