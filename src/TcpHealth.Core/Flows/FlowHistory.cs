using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>A flow's counters widened to 64 bits, and how long they have not moved.</summary>
public readonly record struct FlowReading(TimeSpan Idle, DirectionCounters Tx, DirectionCounters Rx);

/// <summary>
/// What user space remembers of each flow between reads of the kernel's table.
/// The datapath keeps no last-seen time (a clock read on every packet is a helper
/// call), so idle time is measured here at collection granularity: a flow is
/// active whenever its packet counters moved since the previous read. And it
/// keeps packet, segment and retransmission counts in 32 bits (to keep a flow
/// small), so they are widened here: a read sees how far each advanced modulo
/// 2^32, which is exact as long as every flow is read before one direction
/// passes 2^32 packets — minutes at the fastest single flow the stack can carry.
/// </summary>
public sealed class FlowHistory
{
    private readonly Dictionary<FlowKey, Entry> _entries = [];
    private long _generation;

    public int Count => _entries.Count;

    /// <summary>Starts a read of the flow table: flows not observed until <see cref="EndRead"/> are forgotten.</summary>
    public void BeginRead() => _generation++;

    /// <summary>Records this read of a flow and returns its widened counters and idle time.</summary>
    public FlowReading Observe(in FlowKey key, in Flow flow, ulong nowNs)
    {
        Entry e;
        if (_entries.TryGetValue(key, out var previous))
        {
            var tx = previous.Tx.Advance(flow.Tx);
            var rx = previous.Rx.Advance(flow.Rx);
            bool moved = tx.Packets != previous.Tx.Packets || rx.Packets != previous.Rx.Packets;
            e = new Entry(tx, rx, moved ? nowNs : previous.LastChangeNs, _generation);
        }
        else
        {
            e = new Entry(Wide.From(flow.Tx), Wide.From(flow.Rx), nowNs, _generation);
        }
        _entries[key] = e;

        var idle = TimeSpan.FromTicks((long)((nowNs - Math.Min(nowNs, e.LastChangeNs)) / 100));
        return new FlowReading(idle, e.Tx.Counters(flow.Tx), e.Rx.Counters(flow.Rx));
    }

    /// <summary>Forgets a flow the caller removed from the kernel.</summary>
    public void Forget(in FlowKey key) => _entries.Remove(key);

    /// <summary>Ends a read: flows that were not observed are gone from the kernel.</summary>
    public void EndRead()
    {
        foreach (var (key, e) in _entries)
        {
            if (e.Generation != _generation)
                _entries.Remove(key);
        }
    }

    private readonly record struct Entry(Wide Tx, Wide Rx, ulong LastChangeNs, long Generation);

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
