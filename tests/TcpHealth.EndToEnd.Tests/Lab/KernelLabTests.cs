using System.Net;

// Not "TcpHealth.EndToEnd.Tests.Lab": a namespace named Lab would hide the Lab type.
namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: creates namespaces and TAP devices (root only) and checks the lab's
/// delay line against the kernel's own numbers (tcp_info, nstat).
/// </summary>
public sealed class KernelLabTests
{
    private const int Port = 5001;

    // max(3 %, 0.3 ms) of the expected RTT: the delay line is exact to ~0.1 ms; the rest is
    // room for a loaded 2-core CI machine. min_rtt can never be below 2D.
    private static void AssertRttNear(TimeSpan expected, TimeSpan measured)
    {
        var tolerance = TimeSpan.FromTicks(Math.Max((long)(expected.Ticks * 0.03), TimeSpan.FromMilliseconds(0.3).Ticks));
        Assert.True(measured >= expected - TimeSpan.FromMilliseconds(0.05) && measured <= expected + tolerance,
            $"min_rtt {measured.TotalMilliseconds:F3} ms, expected {expected.TotalMilliseconds:F3} ms (+{tolerance.TotalMilliseconds:F3})");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    public void DelayLine_min_rtt_is_twice_the_one_way_delay_ipv4(int delayMs)
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(delayMs));
        var r = TcpTraffic.Transfer(lab, TestLab.AddressB4, Port, 2_000_000, bytesPerSecond: 10_000_000);

        Assert.Equal(r.BytesSent, r.ServerBytesReceived);
        AssertRttNear(lab.ExpectedRtt, r.Client.MinRtt);
        Assert.Equal(0u, r.Client.TotalRetrans);
        Assert.True(lab.DelayLine.FramesForwardedAToB > 1000);
        Assert.True(lab.DelayLine.FramesForwardedBToA > 100);
        Assert.Equal(0, lab.DelayLine.FramesDropped);
        Assert.Equal(0, lab.DelayLine.WriteErrors);
    }

    [Fact]
    public void DelayLine_carries_ipv6_with_the_same_delay()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(5));
        var r = TcpTraffic.Transfer(lab, TestLab.AddressB6, Port, 1_000_000, bytesPerSecond: 10_000_000);

        Assert.Equal(1_000_000, r.ServerBytesReceived);
        AssertRttNear(lab.ExpectedRtt, r.Client.MinRtt);
    }

    [Fact]
    public void Vlan_subinterfaces_carry_traffic_or_are_refused_clearly()
    {
        if (!TestLab.IsVlanSupported)
        {
            // Kernels without CONFIG_VLAN_8021Q: a clear error, and nothing left behind.
            var before = CommandRunner.Run("ip", "netns", "list");
            Assert.Throws<NotSupportedException>(() => TestLab.Create(TimeSpan.FromMilliseconds(1), vlanId: 42));
            Assert.Equal(before, CommandRunner.Run("ip", "netns", "list"));
            return;
        }
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(1), vlanId: 42);
        Assert.Equal("tha.42", lab.VlanInterfaceA);
        Assert.Contains("vlan", lab.A.Exec("ip", "-d", "link", "show", "tha.42"));
        var r = TcpTraffic.Transfer(lab, TestLab.VlanAddressB4, Port, 500_000, bytesPerSecond: 10_000_000);

        Assert.Equal(500_000, r.ServerBytesReceived);
        AssertRttNear(lab.ExpectedRtt, r.Client.MinRtt);
    }

    [Fact]
    public void Dropped_frames_match_the_senders_retransmissions()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(5), dropEvery: 50);
        var before = Nstat.Read(lab.A).GetValueOrDefault("TcpRetransSegs");
        var r = TcpTraffic.Transfer(lab, TestLab.AddressB4, Port, 4_000_000, bytesPerSecond: 8_000_000);
        long retrans = Nstat.Read(lab.A)["TcpRetransSegs"] - before;
        long dropped = lab.DelayLine.FramesDropped;

        Assert.Equal(4_000_000, r.ServerBytesReceived);
        Assert.True(dropped > 40, $"dropped {dropped}");
        Assert.True(retrans > 0);
        // Each drop costs one retransmission; a tail-loss probe may add a couple more.
        Assert.InRange(retrans, dropped, dropped + 3);
        Assert.InRange(r.Client.TotalRetrans, (uint)dropped, (uint)dropped + 3);
    }

    [Fact]
    public void Dispose_removes_namespaces_and_devices()
    {
        string a, b;
        using (var lab = TestLab.Create(TimeSpan.FromMilliseconds(1)))
        {
            a = lab.A.Name;
            b = lab.B.Name;
            Assert.True(NetworkNamespace.Exists(a));
            Assert.True(NetworkNamespace.Exists(b));
            Assert.Contains("tha", lab.A.Exec("ip", "-br", "link"));
            lab.B.StartProcess("sleep", "300");
        }
        Assert.False(NetworkNamespace.Exists(a));
        Assert.False(NetworkNamespace.Exists(b));
        Assert.DoesNotContain("thtap", CommandRunner.Run("ip", "-br", "link"));
    }

    [Fact]
    public void RunIn_creates_sockets_inside_the_namespace()
    {
        using var ns = NetworkNamespace.Create(NetworkNamespace.RandomName());
        using var listener = ns.RunIn(() =>
        {
            var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            s.Listen();
            return s;
        });
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        Assert.Contains($":{port}", ns.Exec("ss", "-Hltn", $"sport = :{port}"));
        Assert.DoesNotContain($":{port}", CommandRunner.Run("ss", "-Hltn", $"sport = :{port}"));
    }

    [Fact]
    public void Nstat_parses_absolute_counters()
    {
        var d = Nstat.Parse("#kernel\nTcpRetransSegs                  12                 0.0\nTcpExtTCPToZeroWindowAdv        0                  0.0\n");
        Assert.Equal(12, d["TcpRetransSegs"]);
        Assert.Equal(0, d["TcpExtTCPToZeroWindowAdv"]);
        Assert.Equal(2, d.Count);
    }
}
