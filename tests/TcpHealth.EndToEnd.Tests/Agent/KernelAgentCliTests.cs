using System.Diagnostics;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.EndToEnd.Tests.Web;
using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: the agent's command line — bad flags and configs
/// refused with exit code 2 and one line, SIGHUP reloads without losing
/// counters, --interface-pattern finds interfaces.
/// </summary>
public sealed class KernelAgentCliTests
{
    private static (int Code, string[] Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(WatchProcess.BinaryPath) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(20_000), "tcphealth did not exit");
        return (p.ExitCode, err.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string TempFile(string name, string content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tcphealth-cli-").FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Theory]
    [InlineData("agent")]                                                           // no interface at all
    [InlineData("agent -i lo --collection-interval 0s")]
    [InlineData("agent -i lo --collection-interval soon")]
    [InlineData("agent -i lo --collection-interval 6m")]                            // beyond exact 32-bit widening
    [InlineData("agent -i lo --web.listen-address 127.0.0.1:99999")]
    [InlineData("agent -i lo --web.listen-address nonsense")]
    [InlineData("agent --interface-pattern (unclosed")]
    [InlineData("agent -i nosuchif0 --web.listen-address 127.0.0.1:0")]
    [InlineData("agent -i lo --config /nonexistent/agent.yaml")]
    [InlineData("agent -i lo --no-such-flag")]
    public void Bad_flags_exit_2_with_one_line(string commandLine)
    {
        var (code, err) = Run(commandLine.Split(' '));
        Assert.Equal(2, code);
        var line = Assert.Single(err);
        Assert.StartsWith("tcphealth: error:", line);
    }

    [Theory]
    [InlineData("zones:\n  - cidr: 10.1.0.0/33\n    zone: a\n", ":2:")]
    [InlineData("zones:\n  - cidr: 10.1.0.0/16\n", ":2:")]
    [InlineData("endpoints:\n  - name: db\n    cidrs: [10.0.0.1/32]\n    colour: blue\n", ":4:")]
    [InlineData("metrics:\n  series_ttl: forever\n", ":2:")]
    [InlineData("zones: [1, 2\n", ":")]
    public void Bad_config_files_exit_2_naming_the_line(string yaml, string lineMarker)
    {
        var path = TempFile("agent.yaml", yaml);
        var (code, err) = Run("agent", "-i", "lo", "--web.listen-address", "127.0.0.1:0", "--config", path);
        Assert.Equal(2, code);
        var line = Assert.Single(err);
        Assert.Contains(path + lineMarker, line);
    }

    [Fact]
    public void A_bad_web_config_exits_2_naming_the_line()
    {
        var path = TempFile("web.yaml", "tls_server_config:\n  cert_file: /nonexistent.pem\n  key_file: /nonexistent.key\n");
        var (code, err) = Run("agent", "-i", "lo", "--web.listen-address", "127.0.0.1:0", "--web.config.file", path);
        Assert.Equal(2, code);
        Assert.Contains(path, Assert.Single(err));
    }

    [Fact]
    public async Task Sighup_reloads_the_zone_map_without_losing_counters_and_the_pattern_finds_interfaces()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        var config = TempFile("agent.yaml", "zones:\n  - cidr: 10.231.0.2/32\n    zone: old-zone\n");
        using var agent = AgentProcess.Start(lab.A, 19401, "--interface-pattern", "th.*", "--config", config);

        var first = TcpTraffic.Transfer(lab, TestLab.AddressB4, 5201, 300_000, bytesPerSecond: 4_000_000);
        await Task.Delay(1500);
        double before = Bytes(await Scrape(agent), "old-zone");
        Assert.InRange(before, first.BytesSent, first.BytesSent * 1.1);

        File.WriteAllText(config, "zones:\n  - cidr: 10.231.0.2/32\n    zone: new-zone\n");
        Assert.Equal(0, agent.Signal(1 /* SIGHUP */));
        await Task.Delay(1500);
        var second = TcpTraffic.Transfer(lab, TestLab.AddressB4, 5202, 200_000, bytesPerSecond: 4_000_000);
        await Task.Delay(1500);

        var text = await Scrape(agent);
        Assert.Equal(before, Bytes(text, "old-zone"));     // still there, not reset
        Assert.InRange(Bytes(text, "new-zone"), second.BytesSent, second.BytesSent * 1.1);
        Assert.Contains(agent.Stderr, l => l.Contains("reloaded", StringComparison.Ordinal));
        Assert.Contains("tcphealth_interfaces_attached 1", text);
        agent.Stop();
    }

    [Fact]
    public async Task Interfaces_deleted_or_created_again_under_their_name_neither_lose_nor_recount_traffic()
    {
        // A pod's veth: deleted with the pod, or deleted and created again under a fixed
        // name (Calico's cali*) with a new index. Its flows stay in the kernel table
        // until they idle out and must keep their series; a new veth must be attached.
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        var config = TempFile("agent.yaml", "zones:\n  - cidr: 10.233.0.2/32\n    zone: veth-zone\n");
        using var agent = AgentProcess.Start(lab.A, 19403, "--interface-pattern", "thr.*", "--config", config);
        var server = System.Net.IPAddress.Parse("10.233.0.2");
        void CreateVeth()
        {
            lab.A.Exec("ip", "link", "add", "thr0", "type", "veth", "peer", "name", "thr1", "netns", lab.B.Name);
            lab.A.Exec("ip", "addr", "add", "10.233.0.1/30", "dev", "thr0");
            lab.B.Exec("ip", "addr", "add", "10.233.0.2/30", "dev", "thr1");
            lab.A.Exec("ip", "link", "set", "thr0", "up");
            lab.B.Exec("ip", "link", "set", "thr1", "up");
        }
        async Task<double> SendAndScrape(int port, long bytes, double before)
        {
            await WaitFor(agent, "tcphealth_interfaces_attached 1");
            var sent = TcpTraffic.Transfer(lab.A, lab.B, server, port, bytes, bytesPerSecond: 4_000_000).BytesSent;
            await Task.Delay(1500);
            double now = Bytes(await Scrape(agent), "veth-zone");
            Assert.InRange(now - before, sent, sent * 1.1);
            return now;
        }

        CreateVeth();
        double counted = await SendAndScrape(5204, 300_000, 0);

        lab.A.Exec("ip", "link", "del", "thr0");
        await Task.Delay(2500); // two collections without the interface; its flow is still in the table
        var text = await Scrape(agent);
        Assert.Contains("tcphealth_interfaces_attached 0", text);
        Assert.Equal(counted, Bytes(text, "veth-zone"));

        CreateVeth();
        counted = await SendAndScrape(5205, 200_000, counted);

        lab.A.Exec("ip", "link", "del", "thr0");
        CreateVeth(); // within one collection interval: the agent sees the same name, at a new index
        await Task.Delay(2500);
        Assert.Equal(counted, Bytes(await Scrape(agent), "veth-zone"));
        await SendAndScrape(5206, 200_000, counted);
        agent.Stop();
    }

    private static async Task WaitFor(AgentProcess agent, string line)
    {
        for (int i = 0; i < 50 && !(await Scrape(agent)).Contains(line, StringComparison.Ordinal); i++)
            await Task.Delay(200);
    }

    [Fact]
    public async Task The_published_agent_serves_its_metrics_over_tls_with_basic_auth()
    {
        // The trimmed build must keep what only a web config turns on: TLS with ALPN,
        // PEM loading, bcrypt through libcrypt.
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var files = new WebTestFiles();
        using var cert = files.WriteSelfSignedCertificate();
        var web = files.Write("web.yml",
            $"tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  user: {WebTestFiles.UserPassHash}\n");
        var http = NamespaceHttp.Client(lab.A, pinned: cert);
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("user:pass"u8));
        var config = files.Write("agent.yaml", "zones:\n  - cidr: 10.231.0.2/32\n    zone: zone-b\n");
        using var agent = AgentProcess.Start(lab.A, 19402, http, "https", "--interface-pattern", "th.*", "--config", config, "--web.config.file", web);

        var sent = TcpTraffic.Transfer(lab, TestLab.AddressB4, 5203, 200_000, bytesPerSecond: 4_000_000);
        await Task.Delay(1500);
        Assert.InRange(Bytes(await Scrape(agent), "zone-b"), sent.BytesSent, sent.BytesSent * 1.1);

        using var anonymous = NamespaceHttp.Client(lab.A, pinned: cert);
        using var refused = await anonymous.GetAsync(agent.BaseUrl + "/metrics");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        // A client preferring HTTP/2 (as Prometheus does under TLS) is answered over HTTP/1.1, negotiated by ALPN.
        using var h2 = new HttpRequestMessage(HttpMethod.Get, agent.BaseUrl + "/healthz")
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        using var negotiated = await agent.Http.SendAsync(h2);
        Assert.Equal(System.Net.HttpStatusCode.OK, negotiated.StatusCode);
        Assert.Equal(System.Net.HttpVersion.Version11, negotiated.Version);
        agent.Stop();
    }

    private static Task<string> Scrape(AgentProcess agent) => agent.Http.GetStringAsync(agent.BaseUrl + "/metrics");

    // Bytes the client sent to b under the zone b had at the time.
    private static double Bytes(string exposition, string dstZone)
    {
        double sum = 0;
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith("tcphealth_bytes_total{", StringComparison.Ordinal) && line.Contains($"dst_zone=\"{dstZone}\"", StringComparison.Ordinal))
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return sum;
    }
}
