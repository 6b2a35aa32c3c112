using System.Net;
using TcpHealth.Bpf;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Tests.Flows;

public class FlowActivityTests
{
    private const ulong Second = 1_000_000_000;
    private static readonly FlowKey A = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40000, IPAddress.Parse("10.0.0.2"), 443, 7);
    private static readonly FlowKey B = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40001, IPAddress.Parse("10.0.0.2"), 443, 7);

    private static Flow WithPackets(ulong tx, ulong rx)
    {
        var f = new Flow();
        f.Tx.Packets = tx;
        f.Rx.Packets = rx;
        return f;
    }

    private static TimeSpan Read(FlowActivity activity, ulong nowNs, params (FlowKey Key, Flow Flow)[] flows)
    {
        activity.BeginRead();
        var idle = TimeSpan.MinValue;
        foreach (var (key, flow) in flows)
            idle = activity.Observe(key, flow, nowNs);
        activity.EndRead();
        return idle;
    }

    [Fact]
    public void A_new_flow_is_not_idle()
    {
        Assert.Equal(TimeSpan.Zero, Read(new FlowActivity(), 50 * Second, (A, WithPackets(1, 0))));
    }

    [Fact]
    public void Idle_time_runs_from_the_read_where_the_counters_last_changed()
    {
        var activity = new FlowActivity();
        Read(activity, 10 * Second, (A, WithPackets(1, 0)));
        Assert.Equal(TimeSpan.Zero, Read(activity, 12 * Second, (A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.FromSeconds(3), Read(activity, 15 * Second, (A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.FromSeconds(8), Read(activity, 20 * Second, (A, WithPackets(1, 1))));
        Assert.Equal(TimeSpan.Zero, Read(activity, 21 * Second, (A, WithPackets(2, 1))));
    }

    [Fact]
    public void Either_direction_moving_counts_as_activity()
    {
        var activity = new FlowActivity();
        Read(activity, 10 * Second, (A, WithPackets(5, 5)));
        Assert.Equal(TimeSpan.Zero, Read(activity, 20 * Second, (A, WithPackets(5, 6))));
    }

    [Fact]
    public void Flows_missing_from_a_read_are_forgotten_and_start_over_when_they_return()
    {
        var activity = new FlowActivity();
        Read(activity, 10 * Second, (A, WithPackets(1, 0)), (B, WithPackets(1, 0)));
        Assert.Equal(2, activity.Count);
        Read(activity, 20 * Second, (A, WithPackets(1, 0)));
        Assert.Equal(1, activity.Count);
        // B was deleted (by the kernel map's owner) and re-created with the same counts: new, not idle.
        Assert.Equal(TimeSpan.Zero, Read(activity, 30 * Second, (A, WithPackets(1, 0)), (B, WithPackets(1, 0))));
    }

    [Fact]
    public void Forget_drops_a_flow_the_caller_deleted()
    {
        var activity = new FlowActivity();
        Read(activity, 10 * Second, (A, WithPackets(1, 0)));
        activity.Forget(A);
        Assert.Equal(0, activity.Count);
    }
}
