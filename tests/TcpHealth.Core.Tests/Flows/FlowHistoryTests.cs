using System.Net;
using TcpHealth.Bpf;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Tests.Flows;

public class FlowHistoryTests
{
    private const ulong Second = 1_000_000_000;
    private static readonly FlowKey A = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40000, IPAddress.Parse("10.0.0.2"), 443, 7);
    private static readonly FlowKey B = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40001, IPAddress.Parse("10.0.0.2"), 443, 7);
    private static readonly FlowKey C = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40002, IPAddress.Parse("10.0.0.2"), 443, 7);

    private static Flow WithPackets(uint tx, uint rx)
    {
        var f = new Flow();
        f.Tx.Packets = tx;
        f.Rx.Packets = rx;
        return f;
    }

    // One read of the given slots (each added on its first read, as the session learns new flows).
    private static TimeSpan Read(FlowHistory history, ulong nowNs, params (int Slot, FlowKey Key, Flow Flow)[] flows)
    {
        var idle = TimeSpan.MinValue;
        foreach (var (slot, key, flow) in flows)
        {
            history.Add(slot, key, nowNs);
            idle = history.Observe(slot, flow, nowNs).Idle;
        }

        return idle;
    }

    [Fact]
    public void Max_read_interval_is_shorter_than_a_100_gbit_flows_32_bit_wrap()
    {
        // The case the bound is set for: one bulk flow at 100 Gbit/s of full 1500-byte
        // segments (1538 bytes on the wire with Ethernet framing). Small packets would
        // wrap sooner at line rate, but one flow's packets go through one core, whose
        // packet rate is far below 100 Gbit/s of minimum-size frames.
        double segmentsPerSecond = 100e9 / 8 / 1538;
        var wrap = TimeSpan.FromSeconds(Math.Pow(2, 32) / segmentsPerSecond);

        Assert.InRange(wrap.TotalMinutes, 8, 9);
        Assert.True(FlowHistory.MaxReadInterval < wrap, $"{FlowHistory.MaxReadInterval} >= {wrap}");
    }

    [Fact]
    public void A_new_flow_is_not_idle()
    {
        Assert.Equal(TimeSpan.Zero, Read(new FlowHistory(), 50 * Second, (0, A, WithPackets(1, 0))));
    }

    [Fact]
    public void Idle_time_runs_from_the_read_where_the_counters_last_changed()
    {
        var history = new FlowHistory();
        Read(history, 10 * Second, (0, A, WithPackets(1, 0)));
        Assert.Equal(TimeSpan.Zero, Read(history, 12 * Second, (0, A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.FromSeconds(3), Read(history, 15 * Second, (0, A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.FromSeconds(8), Read(history, 20 * Second, (0, A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.Zero, Read(history, 21 * Second, (0, A, WithPackets(2, 1))));
    }

    [Fact]
    public void Either_direction_moving_counts_as_activity()
    {
        var history = new FlowHistory();
        Read(history, 10 * Second, (0, A, WithPackets(5, 5)));
        Assert.Equal(TimeSpan.Zero, Read(history, 20 * Second, (0, A, WithPackets(5, 6))));
    }

    [Fact]
    public void Flows_are_known_by_slot_from_their_addition_until_forgotten()
    {
        var history = new FlowHistory();
        Assert.True(history.Add(3, A, 1));
        Assert.True(history.Add(0, B, 1));
        Assert.False(history.Add(3, A, 2)); // the same creation seen twice (ring buffer, then flow_slots)
        Assert.Equal(A, history.Key(3));
        Assert.Equal(2, history.Count);
        Assert.Equal(4, history.SlotLimit);
        Assert.Equal([true, false, false, true, false], Enumerable.Range(0, 5).Select(history.Knows));

        history.Forget(3);
        history.Forget(3);
        Assert.Equal(1, history.Count);
        Assert.False(history.Knows(3));
        Assert.Throws<ArgumentException>(() => history.Observe(3, WithPackets(1, 0), 1));
        Assert.Throws<ArgumentException>(() => history.Key(7));
    }

    [Fact]
    public void A_slot_taken_again_starts_over_with_the_new_flows_counters()
    {
        var history = new FlowHistory();
        Read(history, 10 * Second, (0, A, WithPackets(100, 100)));
        Read(history, 20 * Second, (0, A, WithPackets(100, 100)));
        history.Forget(0);

        // The slot's next flow: new (not idle), its own counts, not the difference to the last flow's.
        var reading = ReadOne(history, 30 * Second, 0, B, WithPackets(1, 0));
        Assert.Equal(TimeSpan.Zero, reading.Idle);
        Assert.Equal(30 * Second, reading.FirstSeenNs);
        Assert.Equal(1UL, reading.Tx.Packets);
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:40001"), reading.Source);
    }

    [Fact]
    public void A_flow_keeps_its_id_across_reads_and_a_slot_taken_again_gets_a_new_one()
    {
        // The metrics follow a flow by this id: the same key on another interface index
        // (a veth created again under its name) and a key that vanished and came back
        // are new flows.
        var history = new FlowHistory();
        var f = WithPackets(1, 0);
        var sameOnOtherIndex = A;
        sameOnOtherIndex.IfIndex = 9;

        ulong a = ReadOne(history, 1, 0, A, f).Id, b = ReadOne(history, 1, 1, B, f).Id, other = ReadOne(history, 1, 2, sameOnOtherIndex, f).Id;
        Assert.Equal(3, new[] { a, b, other }.Distinct().Count());
        Assert.DoesNotContain(0ul, new[] { a, b, other });

        Assert.Equal(a, history.Observe(0, WithPackets(5, 0), 2).Id);
        history.Forget(0);
        Assert.NotEqual(a, ReadOne(history, 3, 0, A, f).Id);
    }

    [Fact]
    public void Thirty_two_bit_counters_are_widened_across_wraps()
    {
        var history = new FlowHistory();
        var f = new Flow();
        f.Tx.Packets = uint.MaxValue - 1;
        f.Tx.Segments = uint.MaxValue;
        f.Rx.RetransSegs = 7;
        f.Tx.Bytes = 10_000_000_000;
        var first = ReadOne(history, 1, 0, A, f);
        Assert.Equal(uint.MaxValue - 1UL, first.Tx.Packets);

        f.Tx.Packets = 3;      // +5 through the wrap
        f.Tx.Segments = 9;     // +10
        f.Rx.RetransSegs = 8;  // +1, no wrap
        var second = history.Observe(0, f, 2);
        Assert.Equal(uint.MaxValue + 4UL, second.Tx.Packets);
        Assert.Equal(uint.MaxValue + 10UL, second.Tx.Segments);
        Assert.Equal(8UL, second.Rx.RetransmittedSegments);
        Assert.Equal(10_000_000_000UL, second.Tx.Bytes); // 64-bit in the kernel already

        f.Tx.Packets = 3;
        Assert.Equal(uint.MaxValue + 4UL, history.Observe(0, f, 3).Tx.Packets); // no movement, no change
    }

    [Fact]
    public void A_flow_keeps_the_interface_name_of_its_first_read()
    {
        // After its interface is detached the index has no name any more; the flow's
        // series must not move to a new "ifN" name (that would count it again).
        var history = new FlowHistory();
        var f = WithPackets(1, 0);
        history.Add(0, A, 1, _ => "eth0");
        Assert.Equal("eth0", history.Observe(0, f, 1).Interface);
        Assert.False(history.Add(0, A, 1, i => $"if{i}"));
        Assert.Equal("eth0", history.Observe(0, f, 2).Interface);
        Assert.Equal("if7", ReadOne(new FlowHistory(), 1, 0, A, f).Interface);
    }

    [Fact]
    public void Every_counter_of_a_reading_matches_the_kernel_record_when_nothing_wrapped()
    {
        var f = new Flow();
        f.Tx = new DirStats { Bytes = 1, Packets = 2, Segments = 3, RetransSegs = 4, Resets = 5, ZeroWindows = 6 };
        f.Rx = new DirStats { Bytes = 7, Packets = 8, Segments = 9, RetransSegs = 10, Resets = 11, ZeroWindows = 12 };
        var r = ReadOne(new FlowHistory(), 1, 0, A, f);
        Assert.Equal(new DirectionCounters(1, 2, 3, 4, 5, 6), r.Tx);
        Assert.Equal(new DirectionCounters(7, 8, 9, 10, 11, 12), r.Rx);
    }

    [Fact]
    public void Every_read_of_a_flow_shares_the_endpoints_made_on_the_first()
    {
        var history = new FlowHistory();
        var first = ReadOne(history, 10 * Second, 0, A, WithPackets(1, 0));
        var second = history.Observe(0, WithPackets(2, 0), 15 * Second);

        Assert.Equal(IPEndPoint.Parse("10.0.0.1:40000"), first.Source);
        Assert.Equal(IPEndPoint.Parse("10.0.0.2:443"), first.Destination);
        Assert.Same(first.Source, second.Source);
        Assert.Same(first.Destination, second.Destination);
    }

    [Fact]
    public void Flows_share_the_objects_of_equal_endpoints_and_each_keeps_its_own()
    {
        // 3,000 flows from 40 addresses to 50 servers, all on port 443, their source ports
        // from a range of 100: far more endpoints than the shared cache has entries, many of
        // them on one port, so entries are replaced and collide. Every flow must still read
        // as its own key, and equal endpoints are one object where the cache still held it.
        var history = new FlowHistory();
        var rng = new Random(3);
        var keys = new FlowKey[3000];
        for (int i = 0; i < keys.Length; i++)
        {
            var source = IPAddress.Parse($"10.1.{rng.Next(2)}.{rng.Next(20)}");
            var destination = IPAddress.Parse($"10.2.0.{rng.Next(50)}");
            keys[i] = FlowKey.Create(source, (ushort)(30000 + rng.Next(100)), destination, 443, 7);
            history.Add(i, keys[i], 1);
        }

        var readings = keys.Select((k, i) => history.Observe(i, new Flow(), 2)).ToArray();
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(new IPEndPoint(keys[i].Source, keys[i].SrcPort), readings[i].Source);
            Assert.Equal(new IPEndPoint(keys[i].Destination, keys[i].DstPort), readings[i].Destination);
        }

        var a = ReadOne(history, 3, 5000, A, new Flow());
        var b = ReadOne(history, 3, 5001, B, new Flow());
        Assert.Same(a.Destination, b.Destination);
        Assert.Same(a.Source.Address, b.Source.Address);
        Assert.NotSame(a.Source, b.Source);
    }

    private static FlowReading ReadOne(FlowHistory history, ulong nowNs, int slot, FlowKey key, Flow flow)
    {
        history.Add(slot, key, nowNs);
        return history.Observe(slot, flow, nowNs);
    }
}
