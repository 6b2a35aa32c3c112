using System.Net;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Metrics;

/// <summary>Who an address is, as far as labels go.</summary>
public readonly record struct EndpointLabels(string Namespace, string Workload, string Zone);

/// <summary>
/// Turns successive flow snapshots into labelled counters and histograms.
/// The kernel's per-flow counters are monotonic; this keeps each flow's last
/// values and adds only the difference, so a series never goes backwards and
/// a flow's final read (when it expires) is not lost. RTT histograms arrive
/// holding only the samples that are new (see <see cref="IFlowSink"/>), so no
/// copy of every flow's last buckets is kept.
///
/// The rule that keeps sums over all agents honest: a direction is reported
/// by the agent on its sender's side. Packets a flow's remote end sent
/// (RX) are reported here only when that end is not monitored by an agent of
/// its own. RTT and handshake RTT are measurements of this side and always
/// reported.
/// </summary>
public sealed class FlowMetrics : IFlowSink
{
    // A flow not read for this long vanished without an expiry read (the map was reset).
    private static readonly TimeSpan ForgetUnseenAfter = TimeSpan.FromMinutes(10);

    private readonly Func<IPAddress, EndpointLabels> _resolve;
    private readonly Func<IPAddress, bool> _isMonitored;
    private readonly IReadOnlyList<double> _rttBounds;
    private readonly double[] _bounds;
    private readonly KernelBucketMap _bucketMap;
    private readonly Dictionary<ulong, FlowCursor> _cursors = [];
    private int _identityGeneration = 1;
    private DateTimeOffset _collectionTime;

    /// <param name="resolve">Labels of an address; with <paramref name="isMonitored"/>, asked once per flow
    /// and again after <see cref="IdentitiesChanged"/>, so both must keep their answers until then.</param>
    public FlowMetrics(
        Func<IPAddress, EndpointLabels> resolve,
        Func<IPAddress, bool> isMonitored,
        IReadOnlyList<double> rttBucketBounds,
        int seriesBudget,
        TimeSpan seriesTtl)
    {
        _resolve = resolve;
        _isMonitored = isMonitored;
        _rttBounds = rttBucketBounds;
        _bounds = [.. rttBucketBounds];
        _bucketMap = new KernelBucketMap(_bounds);
        Traffic = new(seriesBudget, seriesTtl, k => k.Overflow, () => new TrafficSeries());
        Rtt = new(seriesBudget, seriesTtl, k => k.Overflow, () => new HistogramSeries(rttBucketBounds.Count));
        HandshakeRtt = new(seriesBudget, seriesTtl, _ => TrafficLabels.Overflow, () => new HistogramSeries(rttBucketBounds.Count));
        Connections = new(seriesBudget, seriesTtl, k => (TrafficLabels.Overflow, k.Outcome), () => new CounterSeries());
    }

    public IReadOnlyList<double> RttBucketBounds => _rttBounds;
    /// <summary>Bytes and packets by protocol; retransmits, resets and zero windows only under "tcp".</summary>
    public SeriesStore<TrafficKey, TrafficSeries> Traffic { get; }

    /// <summary>TCP timestamp and ICMP echo RTT, by protocol.</summary>
    public SeriesStore<TrafficKey, HistogramSeries> Rtt { get; }
    public SeriesStore<TrafficLabels, HistogramSeries> HandshakeRtt { get; }

    /// <summary>Connections by initiator → responder labels and outcome.</summary>
    public SeriesStore<(TrafficLabels Labels, string Outcome), CounterSeries> Connections { get; }

    /// <summary>Flows being followed right now.</summary>
    public int TrackedFlows => _cursors.Count;

    /// <summary>
    /// The resolver answers differently now (the config was reloaded): every
    /// flow's labels and monitored check are resolved again before their next use.
    /// </summary>
    public void IdentitiesChanged() => _identityGeneration++;

    /// <summary>
    /// One whole collection, from a snapshot's lists. Their RTT histograms must hold each
    /// flow's new samples only, as a sink gets them (a session's Collect() lists hold totals).
    /// </summary>
    public void Observe(DatapathSnapshot snapshot, DateTimeOffset now)
    {
        BeginCollection(now);
        EndCollection(snapshot.SendTo(this).Flows);
    }

    /// <summary>Starts a collection whose flows arrive one by one (<see cref="IFlowSink"/>), all at <paramref name="now"/>.</summary>
    public void BeginCollection(DateTimeOffset now) => _collectionTime = now;

    public void Flow(in FlowSnapshot flow) => Observe(flow, _collectionTime);

    public void Expired(in FlowSnapshot flow)
    {
        Observe(flow, _collectionTime);
        _cursors.Remove(flow.Id);
    }

    /// <summary>Ends a collection that read <paramref name="flowsRead"/> flows (expired ones not counted): drops what went stale.</summary>
    public void EndCollection(int flowsRead)
    {
        var now = _collectionTime;
        // Every read flow has a cursor now; more cursors than flows means some were not read.
        if (_cursors.Count > flowsRead)
        {
            foreach (var (id, cursor) in _cursors)
            {
                if (now - cursor.LastSeen > ForgetUnseenAfter)
                    _cursors.Remove(id);
            }
        }
        Traffic.Expire(now);
        Rtt.Expire(now);
        HandshakeRtt.Expire(now);
        Connections.Expire(now);
    }

    [MethodImpl(HotPath.JitCompiled)]
    private void Observe(in FlowSnapshot f, DateTimeOffset now)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_cursors, f.Id, out _);
        if (slot is null || slot.FirstSeenNs != f.FirstSeenNs)
            slot = new FlowCursor(f.FirstSeenNs);
        var cursor = slot;
        cursor.LastSeen = now;
        if (cursor.Connection != f.Connection)
        {
            // The same addresses and ports started a new connection: its handshake and outcome are new.
            cursor.Connection = f.Connection;
            cursor.HandshakeReported = cursor.ConnectionReported = false;
        }

        // Most flows are idle between two reads: skip them without resolving or hashing anything.
        if (NothingNew(f, cursor))
            return;

        ResolveLabels(f, cursor);
        AddTraffic(cursor.TxKey, cursor.CrossZone, ref cursor.TxTraffic, f.Tx, cursor.Tx, now);
        if (cursor.ReportRx)
            AddTraffic(cursor.RxKey, cursor.CrossZone, ref cursor.RxTraffic, f.Rx, cursor.Rx, now);
        cursor.Tx = f.Tx;
        cursor.Rx = f.Rx;

        AddRtt(f.Rtt, cursor, now);

        if (!cursor.HandshakeReported && f.HandshakeRtt is { } hs)
        {
            HandshakeRtt.Get(cursor.TxKey.Labels, now).Observe(_bounds, hs.TotalSeconds, 1);
            cursor.HandshakeReported = true;
        }

        if (!cursor.ConnectionReported && OutcomeLabel(f.Outcome) is { } outcome)
        {
            // Labelled initiator → responder, by the initiator's agent when it has one.
            TrafficLabels? labels = f.Initiator switch
            {
                ConnectionInitiator.Source => cursor.TxKey.Labels,
                ConnectionInitiator.Destination when cursor.ReportRx => cursor.RxKey.Labels,
                _ => null,
            };
            if (labels is { } l)
                Connections.Get((l, outcome), now).Value++;
            cursor.ConnectionReported = true;
        }
    }

    /// <summary>
    /// True when this read would add nothing: no counter moved, no RTT sample is new,
    /// and no handshake RTT or connection outcome waits to be reported. The outcome is
    /// checked on its own because it changes without traffic: a SYN that was never
    /// answered turns into no_answer by timeout while its counters stand still.
    /// </summary>
    [MethodImpl(HotPath.JitCompiled)]
    private static bool NothingNew(in FlowSnapshot f, FlowCursor c) =>
        f.Tx == c.Tx && f.Rx == c.Rx &&
        (f.Rtt.Histogram is not { } h ||
            (c.RttSamples == f.Rtt.Samples && c.RttSumNs == f.Rtt.SumNs && h.Count == 0)) &&
        (c.HandshakeReported || f.HandshakeRtt is null) &&
        (c.ConnectionReported || OutcomeLabel(f.Outcome) is null);

    private void ResolveLabels(in FlowSnapshot f, FlowCursor c)
    {
        if (c.LabelsGeneration == _identityGeneration)
            return;
        var src = _resolve(f.Source.Address);
        var dst = _resolve(f.Destination.Address);
        var tx = new TrafficLabels(src.Namespace, src.Workload, src.Zone, dst.Namespace, dst.Workload, dst.Zone);
        string protocol = TrafficKey.ProtocolLabel(f.Protocol);
        c.TxKey = new TrafficKey(tx, protocol);
        c.ReportRx = !_isMonitored(f.Destination.Address);
        c.CrossZone = tx.IsCrossZone;
        c.TxTraffic = c.RxTraffic = null;
        c.TxRtt = null;
        c.LabelsGeneration = _identityGeneration;
    }

    [MethodImpl(HotPath.JitCompiled)]
    private void AddTraffic(in TrafficKey key, bool crossZone, ref SeriesHandle<TrafficSeries>? handle, in DirectionCounters now, in DirectionCounters before, DateTimeOffset time)
    {
        ulong bytes = Delta(now.Bytes, before.Bytes);
        ulong packets = Delta(now.Segments, before.Segments);
        ulong retrans = Delta(now.RetransmittedSegments, before.RetransmittedSegments);
        ulong resets = Delta(now.Resets, before.Resets);
        ulong zeroWindows = Delta(now.ZeroWindows, before.ZeroWindows);
        if ((bytes | packets | retrans | resets | zeroWindows) == 0)
            return;
        var s = Traffic.Get(key, time, ref handle);
        s.Bytes += bytes;
        s.Packets += packets;
        s.RetransmittedSegments += retrans;
        s.Resets += resets;
        s.ZeroWindows += zeroWindows;
        if (crossZone)
            s.CrossZoneBytes += bytes;
    }

    // Kernel buckets are at most 6.25% wide; each lands in the Prometheus
    // bucket holding its middle. Samples below/above the kernel's window are
    // placed at the flow's exact min/max.
    [MethodImpl(HotPath.JitCompiled)]
    private void AddRtt(in RttSummary rtt, FlowCursor cursor, DateTimeOffset now)
    {
        if (rtt.Histogram is not { } h)
            return;

        HistogramSeries? series = null;
        ulong observed = 0;
        double sum = 0;
        [MethodImpl(HotPath.JitCompiled)]
        void Add(int index, double seconds, ulong count)
        {
            if (count == 0)
                return;
            series ??= Rtt.Get(cursor.TxKey, now, ref cursor.TxRtt);
            series.Counts[index] += count;
            observed += count;
            sum += seconds * count;
        }
        void AddAt(double seconds, ulong count) => Add(HistogramSeries.BucketIndex(_bounds, seconds), seconds, count);

        ulong countDelta = Delta(rtt.Samples, cursor.RttSamples);
        ulong sumDelta = Delta(rtt.SumNs, cursor.RttSumNs);
        if (h.Below != 0)
            AddAt(h.MinNs / 1e9, h.Below);

        // The histogram holds this read's samples only (see IFlowSink): a few of the
        // 96 buckets, found eight at a time.
        var buckets = h.Buckets;
        double lowNs = h.MinNs, highNs = Math.Max(h.MinNs, h.MaxNs);
        var targets = _bucketMap.For(h.BaseOctave);
        for (int i = 0; i < buckets.Length; i += Vector256<uint>.Count)
        {
            var read = Vector256.Create(buckets.Slice(i, Vector256<uint>.Count));
            for (uint taken = ~Vector256.Equals(read, Vector256<uint>.Zero).ExtractMostSignificantBits() & 0xFF; taken != 0; taken &= taken - 1)
            {
                int lane = BitOperations.TrailingZeroCount(taken);
                int k = i + lane;
                double middle = targets.MiddleNs[k];
                // Its middle, unless that lies outside the flow's exact range.
                if (middle >= lowNs && middle <= highNs)
                    Add(targets.Index[k], middle / 1e9, read.GetElement(lane));
                else
                    AddAt(Math.Clamp(middle, lowNs, highNs) / 1e9, read.GetElement(lane));
            }
        }
        AddAbove(h.Above);
        cursor.RttMaxNs = h.MaxNs;
        cursor.RttSamples = rtt.Samples;
        cursor.RttSumNs = rtt.SumNs;

        // The flow's exact sum, when every new sample reached the histogram.
        if (series is not null)
            series.Sum += countDelta == observed ? sumDelta / 1e9 : sum;

        // Samples above the kernel's window are known only by their count, the flow's
        // max and the exact sum. When the max rose, one of them is the max; the others
        // are placed at what the sum leaves for them (within the window's top and the
        // max), not all at the max: one slow outlier must not drag every later
        // sample above the window into its bucket.
        [MethodImpl(HotPath.JitCompiled)]
        void AddAbove(ulong count)
        {
            if (count == 0)
                return;
            if (countDelta != observed + count)
            {
                AddAt(h.MaxNs / 1e9, count); // samples were lost: the sum says nothing about these
                return;
            }
            double top = RttHistogram.BucketUpperBound(h.BaseOctave, RttHistogram.BucketCount - 1);
            double restNs = sumDelta - sum * 1e9;
            if (h.MaxNs > cursor.RttMaxNs)
            {
                AddAt(h.MaxNs / 1e9, 1);
                restNs -= h.MaxNs;
                count--;
            }
            if (count > 0)
                AddAt(Math.Clamp(restNs / count, top, Math.Max(top, h.MaxNs)) / 1e9, count);
        }
    }

    private static string? OutcomeLabel(ConnectionOutcome o) => o switch
    {
        ConnectionOutcome.Established => "established",
        ConnectionOutcome.Refused => "refused",
        ConnectionOutcome.NoAnswer => "no_answer",
        _ => null,
    };

    // Kernel counters only grow within one flow entry; a smaller value means
    // the entry was recreated, and all of it is new.
    private static ulong Delta(ulong now, ulong before) => now >= before ? now - before : now;
}
