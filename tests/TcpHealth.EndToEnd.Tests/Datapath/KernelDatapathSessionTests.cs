using System.Net;
using System.Net.Sockets;
using TcpHealth.Datapath;
using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>
/// Touches the kernel: the datapath session's collections over real traffic
/// through a lab, read in this process.
/// </summary>
public sealed class KernelDatapathSessionTests
{
    [Fact]
    public void An_idle_flow_is_handed_out_once_more_with_all_it_held_and_then_removed()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var session = OpenOnA(lab);
        const int Port = 5207;
        bool ToServer(Core.Flows.FlowSnapshot f) => f.Destination.Port == Port && f.Destination.Address.Equals(TestLab.AddressB4);

        var sent = TcpTraffic.Transfer(lab, TestLab.AddressB4, Port, 200_000).BytesSent;
        var active = Assert.Single(session.Collect().Flows, ToServer);
        Assert.InRange(active.Tx.Bytes, (ulong)sent, (ulong)(sent * 1.1));

        Thread.Sleep(1500);
        var idle = session.Collect();
        Assert.DoesNotContain(idle.Flows, ToServer);
        var expired = Assert.Single(idle.Expired, ToServer);
        Assert.Equal(active.Tx, expired.Tx);
        Assert.Equal(active.Rx, expired.Rx);

        var after = session.Collect();
        Assert.DoesNotContain(after.Flows, ToServer);
        Assert.DoesNotContain(after.Expired, ToServer);
    }

    [Fact]
    public void Unanswered_echo_requests_leave_pending_ts_with_their_expired_flow()
    {
        // B ignores echo requests: each one A sends waits in pending_ts for a reply that never
        // comes, far younger than the timestamp timeout (10 s), so only the flow's expiry can
        // remove them, before its slot goes to another flow.
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        lab.B.Exec("sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1");
        using var session = OpenOnA(lab);
        bool Echo(Core.Flows.FlowSnapshot f) => f.Protocol == 1 && f.Destination.Address.Equals(TestLab.AddressB4);
        session.Collect();
        int before = session.PendingTimestampCount();

        lab.A.Run($"ping -4 -n -c 3 -i 0.05 -W 1 {TestLab.AddressB4} || true");
        var read = session.Collect();
        Assert.Equal(3UL, Assert.Single(read.Flows, Echo).Tx.Packets);
        Assert.Equal(0UL, Assert.Single(read.Flows, Echo).Rx.Packets);
        Assert.Equal(before + 3, session.PendingTimestampCount());

        Thread.Sleep(1500);
        Assert.Single(session.Collect().Expired, Echo);
        Assert.Equal(before, session.PendingTimestampCount());
    }

    [Fact]
    public void An_expired_flows_rtt_slot_goes_zeroed_to_the_next_flow()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var session = OpenOnA(lab, maxRttFlows: 1);
        static Predicate<Core.Flows.FlowSnapshot> ToServer(int port) => f => f.Destination.Port == port && f.Destination.Address.Equals(TestLab.AddressB4);

        // The only slot: one flow has RTT samples (paced over ~100 ms: a TSval changes every
        // millisecond, so it gets dozens), the next cannot.
        TcpTraffic.Transfer(lab, TestLab.AddressB4, 5208, 200_000, bytesPerSecond: 2_000_000);
        TcpTraffic.Transfer(lab, TestLab.AddressB4, 5209, 1_000);
        var first = session.Collect();
        ulong firstSamples = Assert.Single(first.Flows, ToServer(5208)).Rtt.Samples;
        Assert.InRange(firstSamples, 10UL, ulong.MaxValue);
        Assert.Equal(0UL, Assert.Single(first.Flows, ToServer(5209)).Rtt.Samples);
        Assert.NotEqual(0UL, first.Counters[Bpf.DatapathCounter.RttHistNotTracked]);

        Thread.Sleep(1500);
        var idle = session.Collect();
        Assert.Equal(firstSamples, Assert.Single(idle.Expired, ToServer(5208)).Rtt.Samples);

        // The slot is handed back at this collection, zeroed: the next flow's histogram holds only its own samples.
        session.Collect();
        TcpTraffic.Transfer(lab, TestLab.AddressB4, 5210, 1_000);
        var next = Assert.Single(session.Collect().Flows, ToServer(5210));
        Assert.InRange(next.Rtt.Samples, 1UL, next.Rx.Packets);
        Assert.True(next.Rtt.Samples < firstSamples);
    }

    [Fact]
    public void Expired_flows_slots_go_zeroed_to_the_next_flows()
    {
        // Four slots and six connections one after the other, over the loopback of lab end A
        // (no IPv6 chatter there; each connection is two flows on lo, one per direction): the
        // later connections can only be tracked in the slots of the earlier, with their own counts.
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var session = OpenOnA(lab, maxFlows: 4, iface: "lo");
        for (int port = 5211; port <= 5216; port++)
        {
            var sent = TcpTraffic.Transfer(lab.A, lab.A, IPAddress.Loopback, port, 20_000 * (port - 5210)).BytesSent;
            var read = session.Collect();
            var flow = Assert.Single(read.Flows, f => f.Destination.Port == port);
            Assert.InRange(flow.Tx.Bytes, (ulong)sent, (ulong)(sent * 1.1));
            Assert.Equal(0UL, read.Counters[Bpf.DatapathCounter.FlowsNotTracked]);

            Thread.Sleep(1200);
            Assert.Equal(2, session.Collect().Expired.Count);
            session.Collect(); // the slots go back to the datapath
        }
    }

    [Fact]
    public void Flows_whose_announcements_did_not_fit_the_ring_are_read_from_the_flow_table()
    {
        // 6,000 new flows between two collections: the new_flows ring holds 4,096.
        const int Flows = 6000, FirstPort = 20000;
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var session = OpenOnA(lab);
        // A connection first resolves B's address: datagrams sent before that wait in the
        // neighbour queue, which drops all but the first ~70 before any hook sees them.
        TcpTraffic.Transfer(lab.A, lab.B, TestLab.AddressB4, 5299, 1000);
        Bpf.NetworkNamespace.RunIn(lab.A.Name, () =>
        {
            for (int i = 0; i < Flows; i++)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(TestLab.AddressA4, FirstPort + i));
                socket.SendTo(new byte[10], new IPEndPoint(TestLab.AddressB4, 9));
            }

            return 0;
        });

        var read = session.Collect();
        Assert.InRange(read.Counters[Bpf.DatapathCounter.NewFlowsLost], 1UL, (ulong)Flows);
        var ports = read.Flows.Where(f => f.Protocol == 17 && f.Destination.Port == 9).Select(f => f.Source.Port).Order();
        Assert.Equal(Enumerable.Range(FirstPort, Flows), ports);
        Assert.All(read.Flows.Where(f => f.Protocol == 17), f => Assert.Equal(1UL, f.Tx.Packets));

        // Learnt once: the next read still has them all.
        Assert.Equal(Flows, session.Collect().Flows.Count(f => f.Protocol == 17 && f.Destination.Port == 9));
    }

    [Fact]
    public async Task A_sink_takes_each_rtt_sample_out_of_the_kernel_once_while_the_traffic_adds_more()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var session = OpenOnA(lab);
        const int Port = 5217;
        var sink = new RttTally(f => f.Destination.Port == Port && f.Destination.Address.Equals(TestLab.AddressB4));

        // Paced over a second: a TSval changes every millisecond, so the flow gets hundreds
        // of samples while the session reads every few milliseconds.
        var transfer = Task.Run(() => TcpTraffic.Transfer(lab, TestLab.AddressB4, Port, 2_000_000, bytesPerSecond: 2_000_000));
        while (!transfer.IsCompleted)
        {
            session.Collect(sink);
            Thread.Sleep(5);
        }
        await transfer;
        Thread.Sleep(200); // its last ACKs
        session.Collect(sink);

        Assert.InRange(sink.Samples, 50UL, ulong.MaxValue);
        Assert.True(sink.ReadsWithNewSamples >= 20, $"new samples in only {sink.ReadsWithNewSamples} reads");
        Assert.Equal(sink.Samples, sink.Taken);

        // Its last read, when it idled out, finds nothing left.
        Thread.Sleep(1500);
        session.Collect(sink);
        Assert.True(sink.ReadAtExpiry);
        Assert.Equal(sink.Samples, sink.Taken);

        // Its lists would miss what was taken.
        Assert.Throws<InvalidOperationException>(() => session.Collect());
    }

    // Adds up the RTT samples a sink was handed for one flow.
    private sealed class RttTally(Predicate<Core.Flows.FlowSnapshot> which) : Core.Flows.IFlowSink
    {
        public ulong Samples { get; private set; }
        public ulong Taken { get; private set; }
        public int ReadsWithNewSamples { get; private set; }
        public bool ReadAtExpiry { get; private set; }

        public void Flow(in Core.Flows.FlowSnapshot flow)
        {
            if (!which(flow))
                return;
            Samples = flow.Rtt.Samples;
            ulong taken = flow.Rtt.Histogram?.Count ?? 0;
            Taken += taken;
            if (taken > 0)
                ReadsWithNewSamples++;
        }

        void Core.Flows.IFlowSink.Expired(in Core.Flows.FlowSnapshot flow)
        {
            if (!which(flow))
                return;
            Flow(flow);
            ReadAtExpiry = true;
        }
    }

    // A session on lab end A whose flows idle out after a second.
    private static DatapathSession OpenOnA(
        TestLab lab, uint maxRttFlows = Bpf.Abi.DefaultMaxRttFlows, uint maxFlows = Bpf.Abi.DefaultMaxFlows, string? iface = null) =>
        Bpf.NetworkNamespace.RunIn(lab.A.Name, () => DatapathSession.Open(new DatapathOptions
        {
            Interfaces = [iface ?? lab.InterfaceA],
            FlowIdleTimeout = TimeSpan.FromSeconds(1),
            MaxRttFlows = maxRttFlows,
            MaxFlows = maxFlows,
        }, new StderrLog()));
}
