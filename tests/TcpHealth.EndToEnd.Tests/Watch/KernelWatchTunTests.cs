using System.Net;
using TcpHealth.Bpf;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: the real `tcphealth watch` on a TUN device (no Ethernet header,
/// so the *_l3 programs), real TCP through the user-space delay line, checked against
/// tcp_info and the bytes sent.
/// </summary>
public sealed class KernelWatchTunTests
{
    private const int Port = 5211;

    private static string Endpoint(IPAddress a, int port) => new IPEndPoint(a, port).ToString();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rtt_min_and_bytes_are_right_on_a_tun_device(bool ipv6)
    {
        using var lab = TestLab.Create(new DelayLineOptions { Delay = TimeSpan.FromMilliseconds(2.5), Mode = DeviceMode.Tun });
        // The input the CLI uses to choose the *_l3 programs, asked inside a's namespace.
        Assert.False(lab.A.RunIn(() => InterfaceInfo.HasEthernetHeader(lab.InterfaceA)), $"{lab.InterfaceA} should have no Ethernet header");
        var server = ipv6 ? TestLab.AddressB6 : TestLab.AddressB4;
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);

        var r = TcpTraffic.Transfer(lab, server, Port, 2_000_000, bytesPerSecond: 4_000_000);
        var f = watch.Stop().SingleTo(Endpoint(server, Port));

        // That a flow exists at all proves the L3 path ran: the Ethernet programs would read
        // the ethertype at offset 12 of a raw IP packet, i.e. inside the source address
        // (0x0ae7 for 10.231.0.1, 0x0000 for fd00:231::1), and count nothing (non_ip).
        Assert.Equal(lab.InterfaceA, f.GetProperty("iface").GetString());

        double truthMs = r.Client.MinRttMicros / 1000.0;
        double minMs = f.Ms("rtt_min_ms")!.Value;
        double tolerance = Math.Max(0.03 * truthMs, 0.15);
        Assert.True(Math.Abs(minMs - truthMs) <= tolerance,
            $"rtt_min {minMs:F3} ms vs tcpi_min_rtt {truthMs:F3} ms (tolerance {tolerance:F3} ms)");
        Assert.True(f.U("rtt_samples") > 100, $"only {f.U("rtt_samples")} RTT samples");

        ulong payload = (ulong)r.BytesSent;
        ulong segs = f.U("tx_segments");
        Assert.InRange(f.U("tx_bytes"), payload, payload + segs * 120);
        // 0 on a quiet machine; a scheduling stall of the delay line (tens of ms on a loaded
        // CI box) makes the sender fire a tail-loss probe, a real retransmission, so the
        // truth is the kernel's count for this connection.
        Assert.Equal((ulong)r.Client.TotalRetrans, f.U("retrans_segs"));
        Assert.Equal(0, lab.DelayLine.WriteErrors);
    }
}
