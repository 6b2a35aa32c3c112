using System.Net;
using System.Net.Sockets;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: the real `tcphealth watch` binary attached inside a
/// namespace, real TCP through the user-space delay line, and every number
/// checked against an independent truth (tcp_info, nstat, bytes sent).
/// </summary>
public sealed class KernelWatchAccuracyTests
{
    private const int Port = 5201;

    private static string Endpoint(IPAddress a, int port) => new IPEndPoint(a, port).ToString();

    [Theory]
    [InlineData(0.5, false, "tcx")]
    [InlineData(2.5, false, "tc")]
    [InlineData(10, false, "tcx")]
    [InlineData(0.5, true, "tc")]
    [InlineData(2.5, true, "tcx")]
    [InlineData(10, true, "tcx")]
    public void Rtt_min_matches_the_kernels_min_rtt_and_bytes_match_what_was_sent(double oneWayMs, bool ipv6, string mode)
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(oneWayMs));
        var server = ipv6 ? TestLab.AddressB6 : TestLab.AddressB4;
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA, "--attach-mode", mode);

        var r = TcpTraffic.Transfer(lab, server, Port, 3_000_000, bytesPerSecond: 6_000_000);
        var f = watch.Stop().SingleTo(Endpoint(server, Port));

        // RTT: the kernel's tcpi_min_rtt for the same connection is the truth.
        double truthMs = r.Client.MinRttMicros / 1000.0;
        double minMs = f.Ms("rtt_min_ms")!.Value;
        double tolerance = Math.Max(0.03 * truthMs, 0.15);
        Assert.True(Math.Abs(minMs - truthMs) <= tolerance,
            $"rtt_min {minMs:F3} ms vs tcpi_min_rtt {truthMs:F3} ms (tolerance {tolerance:F3} ms)");
        Assert.True(f.U("rtt_samples") > 100, $"only {f.U("rtt_samples")} RTT samples");
        double p50 = f.Ms("rtt_p50_ms")!.Value, p99 = f.Ms("rtt_p99_ms")!.Value, max = f.Ms("rtt_max_ms")!.Value;
        Assert.True(minMs <= p50 && p50 <= p99 && p99 <= max, $"min {minMs} p50 {p50} p99 {p99} max {max} out of order");
        // A paced flow: the median is near the path RTT, or, when a loaded machine
        // slowed the user-space delay line throughout, near the RTT the client's own
        // kernel saw (tcpi_rtt, smoothed over the same timestamp echoes).
        double srttMs = r.Client.Rtt.TotalMilliseconds;
        double p50Bound = Math.Max(truthMs + Math.Max(0.25 * truthMs, 1.0), srttMs + Math.Max(0.25 * srttMs, 1.0));
        Assert.True(p50 >= truthMs && p50 <= p50Bound,
            $"rtt_p50 {p50:F3} ms outside {truthMs:F3}..{p50Bound:F3} ms (tcpi_min_rtt {truthMs:F3}, tcpi_rtt {srttMs:F3})");
        // The handshake is one sample: never below the path's minimum, and within the
        // client's own connect(), which spans SYN out to SYN/ACK in at the interface
        // (a delay-line thread waking late delays both alike).
        double connectMs = r.ConnectTook.TotalMilliseconds;
        Assert.InRange(f.Ms("handshake_rtt_ms")!.Value, truthMs - tolerance, connectMs);
        Assert.Equal("established", f.Outcome());

        // Bytes: at least the payload the test sent, at most payload + every segment's headers.
        ulong payload = (ulong)r.BytesSent;
        ulong segs = f.U("tx_segments");
        ulong maxHeaders = segs * ((ipv6 ? 40u : 60u) + 60u);
        Assert.InRange(f.U("tx_bytes"), payload, payload + maxHeaders);
        // Wire segments: at least one per MTU-sized piece of payload; packets
        // are what the hook saw, GSO super-packets counting once.
        Assert.InRange(segs, payload / 1500, payload / 500);
        Assert.InRange(f.U("tx_packets"), 1ul, segs);
        Assert.True(f.U("rx_packets") > 0 && f.U("rx_bytes") >= f.U("rx_packets") * (ipv6 ? 60u : 40u));
        // The kernel's own count for this connection (a stall on a loaded machine can force a real one).
        Assert.Equal((ulong)r.Client.TotalRetrans, f.U("retrans_segs"));
    }

    [Fact]
    public void Retransmitted_segments_match_the_senders_TcpRetransSegs()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(1), dropEvery: 40);
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);
        long before = Nstat.Get(lab.A, "TcpRetransSegs");

        var r = TcpTraffic.Transfer(lab, TestLab.AddressB4, Port, 4_000_000, bytesPerSecond: 4_000_000);
        var flows = watch.Stop();
        long truth = Nstat.Get(lab.A, "TcpRetransSegs") - before;

        Assert.Equal(r.BytesSent, r.ServerBytesReceived);
        Assert.True(truth > 50, $"the delay line should have forced retransmissions, kernel saw {truth}");
        ulong measured = flows.SingleTo(Endpoint(TestLab.AddressB4, Port)).U("retrans_segs");
        Assert.True(Math.Abs((double)measured - truth) <= 0.03 * truth,
            $"retrans_segs {measured} vs TcpRetransSegs {truth} (dropped {lab.DelayLine.FramesDropped})");
    }

    [Fact]
    public void Resets_sent_and_received_match_each_sides_TcpOutRsts()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);
        long aBefore = Nstat.Get(lab.A, "TcpOutRsts"), bBefore = Nstat.Get(lab.B, "TcpOutRsts");

        // 4 connections to a closed port: b answers each SYN with a RST.
        for (int i = 0; i < 4; i++)
        {
            using var s = TcpTraffic.CreateSocket(lab.A, AddressFamily.InterNetwork);
            var e = Assert.Throws<SocketException>(() => s.Connect(TestLab.AddressB4, 9));
            Assert.Equal(SocketError.ConnectionRefused, e.SocketErrorCode);
        }

        // 3 connections that a aborts (SO_LINGER 0): a sends a RST each.
        using var listener = TcpTraffic.CreateSocket(lab.B, AddressFamily.InterNetwork);
        listener.Bind(new IPEndPoint(TestLab.AddressB4, Port));
        listener.Listen(16);
        var accepted = new List<Socket>();
        for (int i = 0; i < 3; i++)
        {
            var s = TcpTraffic.CreateSocket(lab.A, AddressFamily.InterNetwork);
            s.Connect(TestLab.AddressB4, Port);
            accepted.Add(listener.Accept());
            s.LingerState = new LingerOption(true, 0);
            s.Close();
        }
        Thread.Sleep(200); // the RSTs cross the delay line
        // Other protocols (the namespace's own IPv6 neighbour discovery) have no reset counters.
        var flows = watch.Stop().Where(f => f.GetProperty("proto").GetString() == "tcp").ToList();
        foreach (var s in accepted)
            s.Dispose();

        long aSent = Nstat.Get(lab.A, "TcpOutRsts") - aBefore, bSent = Nstat.Get(lab.B, "TcpOutRsts") - bBefore;
        Assert.Equal(3, aSent);
        Assert.Equal(4, bSent);
        Assert.Equal((ulong)aSent, (ulong)flows.Sum(f => (long)f.U("resets_sent")));
        Assert.Equal((ulong)bSent, (ulong)flows.Sum(f => (long)f.U("resets_received")));
        var refused = flows.Where(f => f.Dst() == Endpoint(TestLab.AddressB4, 9)).ToList();
        Assert.Equal(4, refused.Count);
        Assert.All(refused, f => Assert.Equal("refused", f.Outcome()));
    }

    [Fact]
    public void Zero_window_advertisements_match_the_receivers_TCPToZeroWindowAdv()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);
        long before = Nstat.Get(lab.B, "TcpExtTCPToZeroWindowAdv");

        using var listener = TcpTraffic.CreateSocket(lab.B, AddressFamily.InterNetwork);
        listener.ReceiveBufferSize = 8192; // inherited by the accepted socket: fills fast
        listener.Bind(new IPEndPoint(TestLab.AddressB4, Port));
        listener.Listen(1);
        using var client = TcpTraffic.CreateSocket(lab.A, AddressFamily.InterNetwork);
        client.Connect(TestLab.AddressB4, Port);
        using var server = listener.Accept();
        client.Blocking = false;

        var chunk = new byte[16384];
        var sink = new byte[1 << 20];
        for (int cycle = 0; cycle < 3; cycle++)
        {
            // Fill b's receive buffer until a cannot send: b advertises a zero window.
            var until = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < until)
            {
                if (client.Send(chunk, SocketFlags.None, out var err) == 0 && err == SocketError.WouldBlock)
                    Thread.Sleep(300);
                if (Nstat.Get(lab.B, "TcpExtTCPToZeroWindowAdv") - before > cycle)
                    break;
            }
            // Drain b: the window opens again.
            server.ReceiveTimeout = 500;
            try
            {
                while (server.Receive(sink) > 0) { }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
            }
        }
        Thread.Sleep(200);
        var flows = watch.Stop();
        long truth = Nstat.Get(lab.B, "TcpExtTCPToZeroWindowAdv") - before;

        Assert.True(truth >= 3, $"b advertised a zero window only {truth} times");
        var f = flows.SingleTo(Endpoint(TestLab.AddressB4, Port));
        Assert.Equal((ulong)truth, f.U("zero_window_received"));
        Assert.Equal(0ul, f.U("zero_window_sent"));
    }
}
