using System.Net;
using System.Runtime.CompilerServices;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// A flow's counters widened to 64 bits, how long they have not moved, and its
/// interface name and endpoints (made on the first read; every later snapshot of
/// the flow shares them, so a flow keeps its name after its interface is detached).
/// </summary>
/// <param name="Id">The flow's number while user space follows it (see <see cref="FlowSnapshot.Id"/>).</param>
/// <param name="FirstSeenNs">When the datapath created the flow (CLOCK_MONOTONIC ns).</param>
public readonly record struct FlowReading(
    TimeSpan Idle, DirectionCounters Tx, DirectionCounters Rx, string Interface, IPEndPoint Source, IPEndPoint Destination, ulong Id = 0, ulong FirstSeenNs = 0);

/// <summary>
/// What user space remembers of each flow between reads of the kernel's table,
/// by the flow's slot in it: its key (which the datapath hands over once, when it
/// creates the flow, with its creation time), interface name and endpoints (made once; every snapshot of
/// the flow shares them, so a flow keeps its name after its interface is
/// detached), and its counters at the last read. The datapath keeps no last-seen
/// time (a clock read on every packet is a helper call), so idle time is measured
/// here at collection granularity: a flow is active whenever its packet counters
/// moved since the previous read. And it keeps packet, segment and retransmission
/// counts in 32 bits (to keep a flow small), so they are widened here: a read sees
/// how far each advanced modulo 2^32, which is exact as long as no direction
/// passes 2^32 between two reads — more than eight minutes even for one flow at
/// 100 Gbit/s of 1500-byte segments.
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

    private Entry[] _entries = [];
    private ulong _lastId;
    private readonly SharedEndpoints _endpoints = new();

    /// <summary>Flows known.</summary>
    public int Count { get; private set; }

    /// <summary>One past the highest slot that ever held a known flow: every known slot is below it.</summary>
    public int SlotLimit { get; private set; }

    /// <summary>
    /// A flow the datapath created in <paramref name="slot"/>; false (and nothing
    /// changes) when the slot already holds a flow: the same creation seen twice.
    /// </summary>
    /// <param name="firstSeenNs">When the datapath created it (CLOCK_MONOTONIC ns).</param>
    /// <param name="interfaceName">The name of an interface index; null: "if{index}".</param>
    public bool Add(int slot, in FlowKey key, ulong firstSeenNs, Func<uint, string>? interfaceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        if (slot >= _entries.Length)
            Array.Resize(ref _entries, Math.Max(Math.Max(64, slot + 1), _entries.Length * 2));
        ref var e = ref _entries[slot];
        if (e.Id != 0)
            return false;
        e = new Entry
        {
            Key = key,
            Id = ++_lastId,
            FirstSeenNs = firstSeenNs,
            Interface = interfaceName?.Invoke(key.IfIndex) ?? $"if{key.IfIndex}",
            Source = _endpoints.Source(key),
            Destination = _endpoints.Destination(key),
        };
        Count++;
        SlotLimit = Math.Max(SlotLimit, slot + 1);
        return true;
    }

    /// <summary>Whether <paramref name="slot"/> holds a known flow.</summary>
    public bool Knows(int slot) => (uint)slot < (uint)_entries.Length && _entries[slot].Id != 0;

    /// <summary>The key of the flow in a known slot.</summary>
    public ref readonly FlowKey Key(int slot) => ref Known(slot).Key;

    /// <summary>Records this read of the flow in a known slot and returns its widened counters and idle time.</summary>
    [MethodImpl(HotPath.JitCompiled)]
    public FlowReading Observe(int slot, in Flow flow, ulong nowNs)
    {
        ref var e = ref Known(slot);
        if (e.Observed)
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
            e.Tx = Wide.From(flow.Tx);
            e.Rx = Wide.From(flow.Rx);
            e.LastChangeNs = nowNs;
            e.Observed = true;
        }

        var idle = TimeSpan.FromTicks((long)((nowNs - Math.Min(nowNs, e.LastChangeNs)) / 100));
        return new FlowReading(idle, e.Tx.Counters(flow.Tx), e.Rx.Counters(flow.Rx), e.Interface, e.Source, e.Destination, e.Id, e.FirstSeenNs);
    }

    /// <summary>Forgets the flow in a slot the caller removed from the kernel.</summary>
    public void Forget(int slot)
    {
        if (!Knows(slot))
            return;
        _entries[slot] = default;
        Count--;
    }

    private ref Entry Known(int slot)
    {
        if (!Knows(slot))
            throw new ArgumentException($"slot {slot} holds no known flow", nameof(slot));
        return ref _entries[slot];
    }

    private struct Entry
    {
        public FlowKey Key;
        public Wide Tx, Rx;
        public ulong LastChangeNs;
        public ulong FirstSeenNs;
        public ulong Id; // 0: the slot is free
        public bool Observed;
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
