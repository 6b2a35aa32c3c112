using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: the real agent in a namespace lab with three zones,
/// scraped by a real Prometheus; PromQL over the scraped data must agree
/// with the truth (bytes the test sent, the injected delay, the kernel's
/// retransmission counter).
/// </summary>
public sealed class KernelAgentPrometheusTests
{
    private const int AgentPort = 19400;

    // a is the client in zone-a; b answers on three addresses: zone-b and
    // zone-c over IPv4, and over IPv6 in zone-a (same-zone traffic).
    private const string ConfigYaml = """
        zones:
          - cidr: 10.231.0.1/32
            zone: zone-a
          - cidr: 10.231.0.2/32
            zone: zone-b
          - cidr: 10.231.0.3/32
            zone: zone-c
          - cidr: fd00:231::/64
            zone: zone-a
        endpoints:
          - name: client
            namespace: lab
            cidrs: [10.231.0.1/32, fd00:231::1/128]
          - name: server-b
            namespace: lab
            cidrs: [10.231.0.2/32]
          - name: server-c
            namespace: lab
            cidrs: [10.231.0.3/32]
          - name: server-v6
            namespace: lab
            cidrs: [fd00:231::2/128]
        """;

    private static readonly double[] DefaultBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static int BucketOf(double seconds) => Array.FindIndex(DefaultBuckets, b => b >= seconds) is var i and >= 0 ? i : DefaultBuckets.Length;

    [Fact]
    public void Prometheus_sees_what_the_test_sent_between_zones_the_injected_rtt_and_the_kernels_retransmits()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(2.5), dropEvery: 50);
        lab.B.Exec("ip", "addr", "add", "10.231.0.3/24", "dev", lab.InterfaceB);
        var config = Path.Combine(Directory.CreateTempSubdirectory("tcphealth-agent-").FullName, "agent.yaml");
        File.WriteAllText(config, ConfigYaml);

        using var agent = AgentProcess.Start(lab.A, AgentPort, "-i", lab.InterfaceA, "--config", config);
        using var prometheus = PrometheusServer.Start(lab.A, $"127.0.0.1:{AgentPort}");
        long retransBefore = Nstat.Get(lab.A, "TcpRetransSegs");

        var toB = TcpTraffic.Transfer(lab, IPAddress.Parse("10.231.0.2"), 5201, 2_000_000, bytesPerSecond: 4_000_000);
        var toC = TcpTraffic.Transfer(lab, IPAddress.Parse("10.231.0.3"), 5202, 1_000_000, bytesPerSecond: 4_000_000);
        var toV6 = TcpTraffic.Transfer(lab, TestLab.AddressB6, 5203, 1_000_000, bytesPerSecond: 4_000_000);
        long retransTruth = Nstat.Get(lab.A, "TcpRetransSegs") - retransBefore;

        // UDP crosses zones too: 300 datagrams of 1000 bytes to zone-c, each 28 header bytes more on the wire.
        const int datagrams = 300, payload = 1000;
        using (var udp = lab.A.RunIn(() => new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp)))
        {
            var target = new IPEndPoint(IPAddress.Parse("10.231.0.3"), 6000);
            for (int i = 0; i < datagrams; i++)
            {
                udp.SendTo(new byte[payload], target);
                Thread.Sleep(1); // paced: the delay line's queue must not overflow
            }
        }

        // Cross-zone bytes equal what the test sent between zones, within headers
        // (and the retransmitted copies, which crossed the zone boundary too).
        const string aToB = "sum(tcphealth_cross_zone_bytes_total{src_zone=\"zone-a\",dst_zone=\"zone-b\",protocol=\"tcp\"})";
        double ab = prometheus.WaitFor(aToB, v => v >= toB.BytesSent, TimeSpan.FromSeconds(20)) ?? 0;
        Assert.InRange(ab, toB.BytesSent, toB.BytesSent * 1.08);
        double ac = prometheus.WaitFor("sum(tcphealth_cross_zone_bytes_total{src_zone=\"zone-a\",dst_zone=\"zone-c\",protocol=\"tcp\"})", v => v >= toC.BytesSent, TimeSpan.FromSeconds(20)) ?? 0;
        Assert.InRange(ac, toC.BytesSent, toC.BytesSent * 1.08);
        double udpBytes = prometheus.WaitFor("sum(tcphealth_cross_zone_bytes_total{src_zone=\"zone-a\",dst_zone=\"zone-c\",protocol=\"udp\"})", v => v >= datagrams * (payload + 28), TimeSpan.FromSeconds(20)) ?? 0;
        Assert.Equal(datagrams * (payload + 28), udpBytes); // counted at a's egress, before the delay line drops anything
        // b's answers (ACKs) crossed too; b has no agent, so a's agent reports them.
        Assert.True(prometheus.Scalar("sum(tcphealth_cross_zone_bytes_total{src_zone=\"zone-b\",dst_zone=\"zone-a\"})") > 0);

        // Same-zone traffic: counted in bytes_total, never as cross-zone.
        double sameZone = prometheus.WaitFor("sum(tcphealth_bytes_total{src_workload=\"client\",dst_workload=\"server-v6\"})", v => v >= toV6.BytesSent, TimeSpan.FromSeconds(20)) ?? 0;
        Assert.InRange(sameZone, toV6.BytesSent, toV6.BytesSent * 1.08);
        Assert.Null(prometheus.Scalar("sum(tcphealth_cross_zone_bytes_total{src_zone=\"zone-a\",dst_zone=\"zone-a\"})"));
        Assert.Null(prometheus.Scalar("sum(tcphealth_cross_zone_bytes_total{dst_workload=\"server-v6\"})"));

        // The median RTT to b is within one bucket of the injected RTT.
        double truthRtt = toB.Client.MinRttMicros / 1e6;
        double p50 = prometheus.WaitFor("histogram_quantile(0.5, sum by (le) (tcphealth_rtt_seconds_bucket{dst_workload=\"server-b\"}))", v => v is > 0, TimeSpan.FromSeconds(10)) ?? 0;
        Assert.True(Math.Abs(BucketOf(p50) - BucketOf(truthRtt)) <= 1,
            $"p50 {p50 * 1000:F3} ms (bucket {BucketOf(p50)}) vs injected RTT {truthRtt * 1000:F3} ms (bucket {BucketOf(truthRtt)})");

        // Retransmitted segments equal the kernel's counter for the sender's namespace.
        Assert.True(retransTruth > 20, $"the delay line should have forced retransmissions; the kernel saw {retransTruth}");
        double retrans = prometheus.WaitFor("sum(tcphealth_retransmitted_segments_total{src_workload=\"client\"})", v => v >= retransTruth, TimeSpan.FromSeconds(10)) ?? 0;
        Assert.True(Math.Abs(retrans - retransTruth) <= Math.Max(1, 0.03 * retransTruth), $"retransmitted_segments_total {retrans} vs TcpRetransSegs {retransTruth}");

        // Every connection the client opened was established, once.
        Assert.Equal(3, prometheus.Scalar("sum(tcphealth_connections_total{outcome=\"established\",src_workload=\"client\"})"));

        agent.Stop();
    }

    [Fact]
    public async Task Promtool_accepts_a_real_scrape_in_both_formats()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        var config = Path.Combine(Directory.CreateTempSubdirectory("tcphealth-agent-").FullName, "agent.yaml");
        File.WriteAllText(config, ConfigYaml);
        using var agent = AgentProcess.Start(lab.A, AgentPort, "-i", lab.InterfaceA, "--config", config);
        TcpTraffic.Transfer(lab, TestLab.AddressB4, 5201, 300_000, bytesPerSecond: 4_000_000);
        await Task.Delay(1500); // one more collection

        var text = await agent.Http.GetStringAsync(agent.BaseUrl + "/metrics");
        Assert.Contains("tcphealth_bytes_total{", text);
        Assert.Contains("tcphealth_rtt_seconds_bucket{", text);
        Assert.Contains("tcphealth_build_info{", text);
        AssertAccepted("promtool", "check metrics", text);

        // The agent's own cost, as the kernel sees it.
        var rss = File.ReadLines($"/proc/{agent.Pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        double rssBytes = double.Parse(rss[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        double reported = double.Parse(text.Split('\n').Single(l => l.StartsWith("process_resident_memory_bytes ", StringComparison.Ordinal)).Split(' ')[1], CultureInfo.InvariantCulture);
        Assert.InRange(reported, rssBytes * 0.9, rssBytes * 1.1);
        Assert.Contains("process_cpu_seconds_total ", text);
        Assert.Contains("process_open_fds ", text);

        using var request = new HttpRequestMessage(HttpMethod.Get, agent.BaseUrl + "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0");
        using var response = await agent.Http.SendAsync(request);
        Assert.StartsWith("application/openmetrics-text", response.Content.Headers.ContentType!.ToString());
        var om = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("# EOF\n", om);
        // promtool 2.42 reads only the text format; prometheus_client's parser is strict OpenMetrics.
        AssertAccepted("/usr/bin/python3", "-c \"import sys; from prometheus_client.openmetrics.parser import text_string_to_metric_families as p; list(p(sys.stdin.read()))\"", om);
        agent.Stop();
    }

    private static void AssertAccepted(string parser, string arguments, string exposition)
    {
        var psi = new ProcessStartInfo(parser, arguments) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(exposition);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(20_000));
        Assert.True(p.ExitCode == 0 && output.Trim().Length == 0, $"{parser} {arguments}: exit {p.ExitCode}: {output}");
    }
}
