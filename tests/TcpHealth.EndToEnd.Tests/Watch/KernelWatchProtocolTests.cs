using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: the real `tcphealth watch` counting non-TCP traffic (UDP from
/// iperf3, ICMP/ICMPv6 echo from ping) through the user-space delay line, checked
/// against what the tools themselves report (iperf3's bytes and datagrams, ping's RTT).
/// </summary>
public sealed partial class KernelWatchProtocolTests(ITestOutputHelper output)
{
    private const int Port = 5201;

    private static string Endpoint(IPAddress a, int port) => new IPEndPoint(a, port).ToString();

    private static string? Proto(JsonElement f)
    {
        if (!f.TryGetProperty("proto", out var p))
            return null;
        return p.ValueKind == JsonValueKind.String ? p.GetString() : p.ToString();
    }

    private static string Describe(IEnumerable<JsonElement> flows) =>
        string.Join(", ", flows.Select(f => $"{Proto(f)} {f.Src()}->{f.Dst()}"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Udp_bytes_and_datagrams_match_what_iperf3_sent(bool ipv6)
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(2.5));
        var server = ipv6 ? TestLab.AddressB6 : TestLab.AddressB4;
        lab.B.StartProcess("iperf3", "-s", "-1", "-p", Port.ToString(CultureInfo.InvariantCulture));
        WaitForListener(lab.B, Port);
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);

        string json = lab.A.Exec("iperf3", ipv6 ? "-6" : "-4", "-u", "-c", server.ToString(), "-p", Port.ToString(CultureInfo.InvariantCulture),
            "-b", "8M", "-t", "2", "-l", "1200", "--json");
        Thread.Sleep(200); // the last datagrams cross the delay line
        var flows = watch.Stop();

        using var doc = JsonDocument.Parse(json);
        var sum = doc.RootElement.GetProperty("end").GetProperty("sum");
        ulong bytes = sum.GetProperty("bytes").GetUInt64();
        ulong packets = sum.GetProperty("packets").GetUInt64();
        Assert.True(packets > 1000, $"iperf3 sent only {packets} datagrams: {json}");

        var udp = flows.Where(f => Proto(f) == "udp" && f.Dst() == Endpoint(server, Port)).ToList();
        Assert.True(udp.Count == 1, $"expected one udp flow to {Endpoint(server, Port)}, found {udp.Count}: {Describe(flows)}");
        var f = udp[0];
        string record = f.GetRawText();
        string truth = $"iperf3 end.sum bytes {bytes} packets {packets}; delay line dropped {lab.DelayLine.FramesDropped}; watch: {record}";
        output.WriteLine(truth);

        // Every datagram carries its IP + UDP headers (20 + 8, or 40 + 8); the rest of the
        // allowance is link-layer framing and iperf3's 4-byte UDP "connect" datagram.
        ulong headers = ipv6 ? 48u : 28u;
        ulong low = bytes + headers * packets;
        ulong high = low + low / 20;
        ulong tx = f.U("tx_bytes");
        Assert.True(tx >= low && tx <= high, $"tx_bytes {tx} not in [{low}, {high}]; {truth}");
        ulong segs = f.U("tx_segments");
        Assert.True(Math.Abs((double)segs - packets) <= 0.01 * packets, $"tx_segments {segs} vs {packets} datagrams; {truth}");
        Assert.Equal(0, lab.DelayLine.FramesDropped);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Icmp_echo_rtt_matches_pings_min_rtt(bool ipv6)
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(2.5));
        var server = ipv6 ? TestLab.AddressB6 : TestLab.AddressB4;
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);

        const int count = 20;
        string ping = lab.A.Exec("ping", ipv6 ? "-6" : "-4", "-n", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.05", server.ToString());
        Thread.Sleep(200);
        var flows = watch.Stop();

        var rtt = RttLine().Match(ping);
        Assert.True(rtt.Success, $"no rtt line in ping output: {ping}");
        double pingMin = double.Parse(rtt.Groups[1].Value, CultureInfo.InvariantCulture);
        var stats = StatsLine().Match(ping);
        Assert.True(stats.Success, $"no statistics line in ping output: {ping}");
        ulong transmitted = ulong.Parse(stats.Groups[1].Value, CultureInfo.InvariantCulture);
        ulong received = ulong.Parse(stats.Groups[2].Value, CultureInfo.InvariantCulture);

        // Echo flows carry the echo identifier as both ports; other ICMP (e.g. neighbour
        // discovery) to the same host is not the ping.
        string proto = ipv6 ? "icmpv6" : "icmp";
        string prefix = Endpoint(server, 0)[..^1]; // "10.231.0.2:" / "[fd00:231::2]:"
        var echo = flows.Where(f => Proto(f) == proto && f.Dst().StartsWith(prefix, StringComparison.Ordinal)
                                    && PortOf(f.Src()) == PortOf(f.Dst()) && PortOf(f.Dst()) != "0").ToList();
        Assert.True(echo.Count == 1, $"expected one {proto} echo flow to {server}, found {echo.Count}: {Describe(flows)}");
        var f = echo[0];
        string truth = $"ping: {stats.Value.Trim()}; {rtt.Value.Trim()}; delay line dropped {lab.DelayLine.FramesDropped}; watch: {f.GetRawText()}";
        output.WriteLine(truth);

        double? minMs = f.Ms("rtt_min_ms");
        Assert.True(minMs is not null, $"no rtt_min_ms; {truth}");
        double tolerance = Math.Max(0.03 * pingMin, 0.15);
        Assert.True(Math.Abs(minMs!.Value - pingMin) <= tolerance,
            $"rtt_min {minMs:F3} ms vs ping min {pingMin:F3} ms (tolerance {tolerance:F3} ms); {truth}");
        Assert.True(f.U("rtt_samples") == received, $"rtt_samples {f.U("rtt_samples")} vs {received} replies; {truth}");
        Assert.True(f.U("tx_packets") >= transmitted, $"tx_packets {f.U("tx_packets")} < {transmitted} requests; {truth}");
        Assert.Equal((ulong)count, received);
    }

    private static string PortOf(string endpoint) => endpoint[(endpoint.LastIndexOf(':') + 1)..];

    /// <summary>Waits until something in <paramref name="ns"/> listens on TCP <paramref name="port"/> (iperf3's control port).</summary>
    private static void WaitForListener(NetworkNamespace ns, int port)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (ns.Exec("ss", "-Hltn", $"sport = :{port}").Trim().Length > 0)
                return;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"nothing listens on TCP port {port} in {ns.Name}");
    }

    [GeneratedRegex(@"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms")]
    private static partial Regex RttLine();

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex StatsLine();
}
