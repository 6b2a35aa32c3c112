using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using TcpHealth.Agent;
using TcpHealth.Bpf;
using TcpHealth.Core.Config;
using TcpHealth.Core.Flows;

namespace TcpHealth.Bench.Agent;

/// <param name="Series">Sample lines in the body (each histogram bucket is a series, as in Prometheus).</param>
/// <param name="ColdMs">The first render: mostly JIT compilation in a JIT build.</param>
/// <param name="MsPerTenThousandSeries">The slower format's warm median, scaled to 10,000 series.</param>
/// <param name="GzipMs">What /metrics adds after rendering when the scraper accepts gzip (Prometheus does): GZip, fastest level.</param>
public sealed record RenderResult(
    int Series, int CounterSeries, int HistogramSeries, int Histograms, int BodyBytes,
    double ColdMs, double TextMs, double OpenMetricsMs, double MsPerTenThousandSeries, double GzipMs, long AllocatedBytes);

/// <summary>
/// Measurement 7: one /metrics body with about 11,000 counter series plus 200
/// histograms (about 15,000 series in all), rendered in process by the agent's own MetricsRenderer over
/// its own AgentState (FlowMetrics fed real snapshot records, identities from
/// a config), so the numbers cover what a scrape runs: building the families
/// from the series stores under the state lock, then the exposition writer.
/// </summary>
public static class RenderBench
{
    private const int Runs = 21;
    private const int WarmUps = 80;

    // What Prometheus asks for first since 2.49 (scrape_protocols).
    private const string OpenMetrics = "application/openmetrics-text; version=1.0.0";

    // 40 pods x 50 peers over UDP: bytes and packets both ways (8,000 series), and cross-zone
    // bytes both ways for the half of the peers in the other zone (2,000).
    private const int Pods = 40;
    private const int Peers = 50;

    // 10 x 10 of those pairs also talk TCP: RTT and handshake histograms, TCP counters, connections.
    private const int TcpPods = 10;
    private const int TcpPeers = 10;

    public static RenderResult Run(Action<string> progress)
    {
        progress("/metrics render, 10k series, in process");
        var state = new AgentState(Config());
        var now = DateTimeOffset.UtcNow;
        state.Record(new DatapathSnapshot(now, Flows(), new DatapathCounters(new ulong[Abi.CounterCount]), (int)Abi.DefaultMaxFlows), now);
        var renderer = new MetricsRenderer(state);

        var body = new ArrayBufferWriter<byte>(1 << 20);
        var cold = Time(() => Render(renderer, body, null));
        var text = Encoding.UTF8.GetString(body.WrittenSpan);

        // Warm both formats well past a tiered JIT's re-compilation (~30 calls and a quiet 100 ms), should tiering be on.
        for (var i = 0; i < WarmUps; i++)
        {
            Render(renderer, body, i % 2 == 0 ? null : OpenMetrics);
        }

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Render(renderer, body, null);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        // Interleaved, so drift (tiering, the VM's neighbours) spreads over both formats.
        var textTimes = new List<double>();
        var omTimes = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            textTimes.Add(Time(() => Render(renderer, body, null)));
            omTimes.Add(Time(() => Render(renderer, body, OpenMetrics)));
        }

        var textMs = Stats.Median(textTimes);
        var omMs = Stats.Median(omTimes);

        var plain = Encoding.UTF8.GetBytes(text);
        var gzipMs = Stats.Median(Enumerable.Range(0, Runs).Select(_ => Time(() =>
        {
            using var gzip = new GZipStream(Stream.Null, CompressionLevel.Fastest);
            gzip.Write(plain);
        })));

        var samples = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l[..l.IndexOfAny(['{', ' '])]).ToList();
        var histogramSeries = samples.Count(n => n.EndsWith("_bucket", StringComparison.Ordinal) || n.EndsWith("_sum", StringComparison.Ordinal) || n.EndsWith("_count", StringComparison.Ordinal));
        return new RenderResult(
            samples.Count, samples.Count(n => n.EndsWith("_total", StringComparison.Ordinal)), histogramSeries,
            state.Metrics.Rtt.Count + state.Metrics.HandshakeRtt.Count, plain.Length,
            cold, textMs, omMs, Math.Max(textMs, omMs) / samples.Count * 10_000, gzipMs, allocated);
    }

    private static void Render(MetricsRenderer renderer, ArrayBufferWriter<byte> body, string? accept)
    {
        body.ResetWrittenCount();
        renderer.Render(body, accept);
    }

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static IPAddress Pod(int i) => IPAddress.Parse($"10.64.0.{i + 1}");

    private static IPAddress Peer(int i) => IPAddress.Parse($"10.65.0.{i + 1}");

    private static AgentConfig Config()
    {
        var endpoints = Enumerable.Range(0, Pods)
            .Select(i => new EndpointConfig($"app-{i}", $"team-{i % 10}", "zone-a", [IpPrefix.Parse($"{Pod(i)}/32")]))
            .Concat(Enumerable.Range(0, Peers)
                .Select(i => new EndpointConfig($"svc-{i}", $"team-{i % 10}", i % 2 == 0 ? "zone-a" : "zone-b", [IpPrefix.Parse($"{Peer(i)}/32")])))
            .ToList();

        // The default budget (2000 per family) would fold most of these into the overflow series.
        return AgentConfig.Default with
        {
            Endpoints = endpoints,
            Metrics = MetricsConfig.Default with { SeriesBudget = 20_000 },
        };
    }

    private static List<FlowSnapshot> Flows()
    {
        var flows = new List<FlowSnapshot>();
        for (var p = 0; p < Pods; p++)
        {
            for (var q = 0; q < Peers; q++)
            {
                flows.Add(Flow(p, q, 17, RttSummary.Empty, null));
                if (p < TcpPods && q < TcpPeers)
                {
                    flows.Add(Flow(p, q, 6, Rtt(250_000 + (ulong)(p * TcpPeers + q) * 20_000), TimeSpan.FromMilliseconds(1)));
                }
            }
        }

        return flows;
    }

    private static FlowSnapshot Flow(int pod, int peer, byte protocol, RttSummary rtt, TimeSpan? handshake) =>
        new(
            "eth0", new IPEndPoint(Pod(pod), 40000 + peer), new IPEndPoint(Peer(peer), protocol == 6 ? 443 : 53), protocol,
            new DirectionCounters(150_000, 100, 100, 1, 0, 0), new DirectionCounters(900_000, 700, 700, 0, 0, 0),
            rtt, handshake, protocol == 6 ? ConnectionOutcome.Established : ConnectionOutcome.Unknown,
            TimeSpan.FromSeconds(30), TimeSpan.Zero)
        {
            Initiator = protocol == 6 ? ConnectionInitiator.Source : ConnectionInitiator.Unknown,
            FirstSeenNs = 1,
            Id = (ulong)(pod * Peers + peer) * 256 + protocol,
        };

    /// <summary>A kernel histogram of 64 samples spread over 1x-10x <paramref name="firstNs"/>, bucketed as the kernel does.</summary>
    private static RttSummary Rtt(ulong firstNs)
    {
        var samples = Enumerable.Range(0, 64).Select(i => firstNs + firstNs * (ulong)i * 9 / 63).ToList();
        var anchor = RttHistogram.AnchorFor(firstNs);
        var buckets = new uint[RttHistogram.BucketCount];
        uint below = 0, above = 0;
        foreach (var ns in samples)
        {
            var b = RttHistogram.BucketOf(anchor, ns);
            if (b < 0)
            {
                below++;
            }
            else if (b == RttHistogram.BucketCount)
            {
                above++;
            }
            else
            {
                buckets[b]++;
            }
        }

        var histogram = new RttHistogram(anchor, below, above, buckets, samples[0], samples[^1]);
        var sum = samples.Aggregate(0UL, (a, s) => a + s);
        return new RttSummary((ulong)samples.Count, sum, samples[0], samples[^1], histogram);
    }
}
