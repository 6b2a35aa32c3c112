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

    private static TimeSpan Read(FlowHistory activity, ulong nowNs, params (FlowKey Key, Flow Flow)[] flows)
    {
        activity.BeginRead();
        var idle = TimeSpan.MinValue;
        foreach (var (key, flow) in flows)
            idle = activity.Observe(key, flow, nowNs).Idle;
        activity.EndRead();
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
        Assert.Equal(TimeSpan.Zero, Read(new FlowHistory(), 50 * Second, (A, WithPackets(1, 0))));
    }

    [Fact]
    public void Idle_time_runs_from_the_read_where_the_counters_last_changed()
    {
        var activity = new FlowHistory();
        Read(activity, 10 * Second, (A, WithPackets(1, 0)));
        Assert.Equal(TimeSpan.Zero, Read(activity, 12 * Second, (A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.FromSeconds(3), Read(activity, 15 * Second, (A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.FromSeconds(8), Read(activity, 20 * Second, (A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.Zero, Read(activity, 21 * Second, (A, WithPackets(2, 1))));
    }

    [Fact]
    public void Either_direction_moving_counts_as_activity()
    {
        var activity = new FlowHistory();
        Read(activity, 10 * Second, (A, WithPackets(5, 5)));
        Assert.Equal(TimeSpan.Zero, Read(activity, 20 * Second, (A, WithPackets(5, 6))));
    }

    [Fact]
    public void Flows_missing_from_a_read_are_forgotten_and_start_over_when_they_return()
    {
        var activity = new FlowHistory();
        Read(activity, 10 * Second, (A, WithPackets(1, 0)), (B, WithPackets(1, 0)));
        Assert.Equal(2, activity.Count);
        Read(activity, 20 * Second, (A, WithPackets(1, 0)));
        Assert.Equal(1, activity.Count);
        // B was deleted (by the kernel map's owner) and re-created with the same counts: new, not idle.
        Assert.Equal(TimeSpan.Zero, Read(activity, 30 * Second, (A, WithPackets(1, 0)), (B, WithPackets(1, 0))));
    }

    [Fact]
    public void A_flow_forgotten_during_a_read_does_not_hide_one_that_vanished()
    {
        var activity = new FlowHistory();
        Read(activity, 10 * Second, (A, WithPackets(1, 0)), (B, WithPackets(1, 0)), (C, WithPackets(1, 0)));

        // A is read and then deleted by the caller (expired), B is read, C is gone from the kernel.
        activity.BeginRead();
        activity.Observe(A, WithPackets(1, 0), 20 * Second);
        activity.Forget(A);
        activity.Observe(B, WithPackets(1, 0), 20 * Second);
        activity.EndRead();

        Assert.Equal(1, activity.Count);
        Assert.Equal(TimeSpan.Zero, Read(activity, 30 * Second, (B, WithPackets(1, 0)), (C, WithPackets(1, 0))));
    }

    [Fact]
    public void A_flow_keeps_its_id_across_reads_and_a_returning_or_renamed_key_gets_a_new_one()
    {
        // The metrics follow a flow by this id: the same key on another interface index
        // (a veth created again under its name) and a key that vanished and came back
        // are new flows.
        var history = new FlowHistory();
        var f = WithPackets(1, 0);
        var sameOnOtherIndex = A;
        sameOnOtherIndex.IfIndex = 9;

        history.BeginRead();
        ulong a = history.Observe(A, f, 1).Id, b = history.Observe(B, f, 1).Id, other = history.Observe(sameOnOtherIndex, f, 1).Id;
        history.EndRead();
        Assert.Equal(3, new[] { a, b, other }.Distinct().Count());
        Assert.DoesNotContain(0ul, new[] { a, b, other });

        history.BeginRead();
        Assert.Equal(a, history.Observe(A, WithPackets(5, 0), 2).Id);
        history.EndRead(); // B and the other index vanished
        history.BeginRead();
        Assert.NotEqual(b, history.Observe(B, f, 3).Id);
        history.EndRead();
        history.Forget(A);
        Assert.NotEqual(a, history.Observe(A, f, 4).Id);
    }

    [Fact]
    public void Forget_drops_a_flow_the_caller_deleted()
    {
        var activity = new FlowHistory();
        Read(activity, 10 * Second, (A, WithPackets(1, 0)));
        activity.Forget(A);
        Assert.Equal(0, activity.Count);
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
        var first = history.Observe(A, f, 1);
        Assert.Equal(uint.MaxValue - 1UL, first.Tx.Packets);

        f.Tx.Packets = 3;      // +5 through the wrap
        f.Tx.Segments = 9;     // +10
        f.Rx.RetransSegs = 8;  // +1, no wrap
        var second = history.Observe(A, f, 2);
        Assert.Equal(uint.MaxValue + 4UL, second.Tx.Packets);
        Assert.Equal(uint.MaxValue + 10UL, second.Tx.Segments);
        Assert.Equal(8UL, second.Rx.RetransmittedSegments);
        Assert.Equal(10_000_000_000UL, second.Tx.Bytes); // 64-bit in the kernel already

        f.Tx.Packets = 3;
        Assert.Equal(uint.MaxValue + 4UL, history.Observe(A, f, 3).Tx.Packets); // no movement, no change
    }

    [Fact]
    public void A_flow_keeps_the_interface_name_of_its_first_read()
    {
        // After its interface is detached the index has no name any more; the flow's
        // series must not move to a new "ifN" name (that would count it again).
        var history = new FlowHistory();
        var f = WithPackets(1, 0);
        Assert.Equal("eth0", history.Observe(A, f, 1, _ => "eth0").Interface);
        Assert.Equal("eth0", history.Observe(A, f, 2, i => $"if{i}").Interface);
        Assert.Equal("if7", new FlowHistory().Observe(A, f, 1).Interface);
    }

    [Fact]
    public void Every_counter_of_a_reading_matches_the_kernel_record_when_nothing_wrapped()
    {
        var f = new Flow();
        f.Tx = new DirStats { Bytes = 1, Packets = 2, Segments = 3, RetransSegs = 4, Resets = 5, ZeroWindows = 6 };
        f.Rx = new DirStats { Bytes = 7, Packets = 8, Segments = 9, RetransSegs = 10, Resets = 11, ZeroWindows = 12 };
        var r = new FlowHistory().Observe(A, f, 1);
        Assert.Equal(new DirectionCounters(1, 2, 3, 4, 5, 6), r.Tx);
        Assert.Equal(new DirectionCounters(7, 8, 9, 10, 11, 12), r.Rx);
    }

    [Fact]
    public void Every_read_of_a_flow_shares_the_endpoints_made_on_the_first()
    {
        var history = new FlowHistory();
        history.BeginRead();
        var first = history.Observe(A, WithPackets(1, 0), 10 * Second);
        history.EndRead();
        history.BeginRead();
        var second = history.Observe(A, WithPackets(2, 0), 15 * Second);
        history.EndRead();

        Assert.Equal(IPEndPoint.Parse("10.0.0.1:40000"), first.Source);
        Assert.Equal(IPEndPoint.Parse("10.0.0.2:443"), first.Destination);
        Assert.Same(first.Source, second.Source);
        Assert.Same(first.Destination, second.Destination);
    }

    [Fact]
    public void The_fast_key_comparer_covers_every_byte_of_the_key()
    {
        Assert.Equal(44, System.Runtime.CompilerServices.Unsafe.SizeOf<FlowKey>());
        var c = FlowKeyComparer.Instance;
        var same = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40000, IPAddress.Parse("10.0.0.2"), 443, 7);
        Assert.True(c.Equals(A, same));
        Assert.Equal(c.GetHashCode(A), c.GetHashCode(same));
        Assert.False(c.Equals(A, B));
        var otherProto = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40000, IPAddress.Parse("10.0.0.2"), 443, 7, System.Net.Sockets.ProtocolType.Udp);
        Assert.NotEqual(c.GetHashCode(A), c.GetHashCode(otherProto)); // the last word (family, protocol) is hashed
    }
}
