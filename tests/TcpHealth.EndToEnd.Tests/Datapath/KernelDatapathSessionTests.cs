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
        using var session = Bpf.NetworkNamespace.RunIn(lab.A.Name, () => DatapathSession.Open(new DatapathOptions
        {
            Interfaces = [lab.InterfaceA],
            FlowIdleTimeout = TimeSpan.FromSeconds(1),
        }, new StderrLog()));
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
}
