using System.Net;
using System.Runtime.InteropServices;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// A flow's counters widened to 64 bits, how long they have not moved, and its
/// interface name and endpoints (made on the first read; every later snapshot of
/// the flow shares them, so a flow keeps its name after its interface is detached).
/// </summary>
/// <param name="Id">The flow's number while user space follows it (see <see cref="FlowSnapshot.Id"/>).</param>
public readonly record struct FlowReading(
    TimeSpan Idle, DirectionCounters Tx, DirectionCounters Rx, string Interface, IPEndPoint Source, IPEndPoint Destination, ulong Id = 0);

/// <summary>
/// What user space remembers of each flow between reads of the kernel's table.
/// The datapath keeps no last-seen time (a clock read on every packet is a helper
/// call), so idle time is measured here at collection granularity: a flow is
/// active whenever its packet counters moved since the previous read. And it
/// keeps packet, segment and retransmission counts in 32 bits (to keep a flow
/// small), so they are widened here: a read sees how far each advanced modulo
/// 2^32, which is exact as long as no direction passes 2^32 between two reads —
/// more than eight minutes even for one flow at 100 Gbit/s of 1500-byte segments.
/// </summary>
public sealed class FlowHistory
{
    /// <summary>
    /// The longest time allowed between two reads: widening is exact only while no
    /// direction passes 2^32 packets or segments in between, which one flow at
    /// 100 Gbit/s of 1500-byte segments does in about 8.6 minutes.
    /// </summary>
    public static readonly TimeSpan MaxReadInterval = TimeSpan.FromMinutes(5);

    /// <summary>Why an interval above <see cref="MaxReadInterval"/> is refused, for the flags' errors.</summary>
    public const string MaxReadIntervalReason = "the kernel's 32-bit counters must be read at least that often to stay exact";

    private readonly Dictionary<FlowKey, Entry> _entries = new(FlowKeyComparer.Instance);
    private long _generation;
    private int _observedThisRead;
    private ulong _lastId;

    public int Count => _entries.Count;

    /// <summary>Starts a read of the flow table: flows not observed until <see cref="EndRead"/> are forgotten.</summary>
    public void BeginRead()
    {
        _generation++;
        _observedThisRead = 0;
    }

    /// <summary>Records this read of a flow and returns its widened counters and idle time.</summary>
    /// <param name="interfaceName">The name of an interface index, asked on a flow's first read only; null: "if{index}".</param>
    public FlowReading Observe(in FlowKey key, in Flow flow, ulong nowNs, Func<uint, string>? interfaceName = null)
    {
        ref var e = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out bool known);
        if (!known || e.Generation != _generation)
            _observedThisRead++;
        if (known)
        {
            var tx = e.Tx.Advance(flow.Tx);
            var rx = e.Rx.Advance(flow.Rx);
            if (tx.Packets != e.Tx.Packets || rx.Packets != e.Rx.Packets)
                e.LastChangeNs = nowNs;
            e.Tx = tx;
            e.Rx = rx;
        }
        else
        {
            e = new Entry
            {
                Tx = Wide.From(flow.Tx),
                Rx = Wide.From(flow.Rx),
                LastChangeNs = nowNs,
                Interface = interfaceName?.Invoke(key.IfIndex) ?? $"if{key.IfIndex}",
                Source = new IPEndPoint(key.Source, key.SrcPort),
                Destination = new IPEndPoint(key.Destination, key.DstPort),
                Id = ++_lastId,
            };
        }
        e.Generation = _generation;

        var idle = TimeSpan.FromTicks((long)((nowNs - Math.Min(nowNs, e.LastChangeNs)) / 100));
        return new FlowReading(idle, e.Tx.Counters(flow.Tx), e.Rx.Counters(flow.Rx), e.Interface, e.Source, e.Destination, e.Id);
    }

    /// <summary>Forgets a flow the caller removed from the kernel.</summary>
    public void Forget(in FlowKey key)
    {
        if (_entries.Remove(key, out var e) && e.Generation == _generation)
            _observedThisRead--;
    }

    /// <summary>Ends a read: flows that were not observed are gone from the kernel.</summary>
    public void EndRead()
    {
        // Usually every remembered flow was read again: no need to look (a scan is ~4 ms at 100k flows).
        if (_observedThisRead == _entries.Count)
            return;
        foreach (var (key, e) in _entries)
        {
            if (e.Generation != _generation)
                _entries.Remove(key);
        }
    }

    private struct Entry
    {
        public Wide Tx, Rx;
        public ulong LastChangeNs;
        public long Generation;
        public ulong Id;
        public string Interface;
        public IPEndPoint Source, Destination;
    }

    /// <summary>One direction's 32-bit counters, widened.</summary>
    private readonly record struct Wide(ulong Packets, ulong Segments, ulong RetransSegs)
    {
        public static Wide From(in DirStats d) => new(d.Packets, d.Segments, d.RetransSegs);

        // The low 32 bits of the widened value are the previous raw value.
        public Wide Advance(in DirStats d) => new(
            Packets + (uint)(d.Packets - (uint)Packets),
            Segments + (uint)(d.Segments - (uint)Segments),
            RetransSegs + (uint)(d.RetransSegs - (uint)RetransSegs));

        public DirectionCounters Counters(in DirStats d) =>
            new(d.Bytes, Packets, Segments, RetransSegs, d.Resets, d.ZeroWindows);
    }
}
