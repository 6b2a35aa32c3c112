using System.Globalization;
using System.Text;
using System.Text.Json;
using TcpHealth.Bench.Agent;

namespace TcpHealth.Bench;

public sealed record Machine(string Kernel, string CpuModel, int Cores)
{
    public static Machine Current()
    {
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var model = File.ReadLines("/proc/cpuinfo")
            .Where(l => l.StartsWith("model name", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':') + 1)..].Trim())
            .FirstOrDefault() ?? "unknown";
        return new Machine(kernel, model, Environment.ProcessorCount);
    }
}

/// <param name="Datapath">Whether the datapath half (sections 1-4) ran; `--only` picks one half.</param>
/// <param name="Agent">Whether the agent half (sections 5-8) ran.</param>
public sealed record BenchSettings(
    int VethSeconds, int VethRepeats, int ThroughputSeconds, int Rounds, int PairedSeconds, int PairedWindowMs, string Started, bool Datapath, bool Agent);

/// <summary>Everything measured; a half that did not run is null.</summary>
public sealed record BenchResults(
    Machine Machine, BenchSettings Settings, List<VethResult>? PerPacket, List<ThroughputResult>? Throughput,
    List<PairedThroughputResult>? PairedThroughput, List<TestRunRow>? TestRun, List<MapMemoryResult>? MapMemory, AgentResults? Agent, List<string> Anomalies);

/// <summary>The printed tables, the anomaly checks and the JSON file.</summary>
public static class Report
{
    /// <summary>Above this (stats on) the per-packet cost is worth a look: the reference parser measured ~200 ns.</summary>
    public const double NsPerRunLimit = 220;

    /// <summary>More throughput loss than this against the no-op control is worth a look.</summary>
    public const double MaxLoss = 0.02;

    /// <summary>The agent's targets (the benchmark issue): RSS at 10k flows, collection and render time per 10k.</summary>
    public const double AgentRssLimitMiB = 48;

    public const double CollectionMsPer10kFlowsLimit = 5;

    public const double RenderMsPer10kSeriesLimit = 20;

    public static List<string> FindAnomalies(List<VethResult>? perPacket, List<PairedThroughputResult>? throughput, AgentResults? agent)
    {
        var found = new List<string>();
        foreach (var r in perPacket ?? [])
        {
            foreach (var h in new[] { r.Egress, r.Ingress })
            {
                if (h.NsPerRun > NsPerRunLimit)
                {
                    found.Add($"{h.Program} costs {h.NsPerRun:0} ns/run (stats on) in '{r.Case}', above {NsPerRunLimit:0} ns");
                }
            }

            // Anything the datapath could not keep or parse would make the numbers describe a different path.
            foreach (var key in new[] { "ErrL2", "ErrIp", "ErrIpv6Ext", "ErrTcp", "ErrTcpOpts", "FlowsNotTracked", "TsNotStored", "RttHistNotTracked" })
            {
                if (r.Counters.TryGetValue(key, out var v) && v > 0)
                {
                    found.Add($"counter {key} = {v} in '{r.Case}'");
                }
            }

            if (r.Counters.GetValueOrDefault("RttSamples") == 0)
            {
                found.Add($"no RTT samples in '{r.Case}': the match path did not run");
            }
        }

        // Judged by the paired windows: whole runs differ by more than the target.
        foreach (var t in throughput ?? [])
        {
            var r = t.OursOverNoop;
            if (r.High < 1 - MaxLoss)
            {
                found.Add($"throughput ours/no-op = {r.Median:0.000} ({r.Low:0.000}-{r.High:0.000}) in '{t.Case}': a loss above {MaxLoss * 100:0}%");
            }
            else if (r.Low < 1 - MaxLoss)
            {
                found.Add($"throughput ours/no-op = {r.Median:0.000} ({r.Low:0.000}-{r.High:0.000}) in '{t.Case}': cannot tell whether the loss is within {MaxLoss * 100:0}%");
            }
        }

        if (agent is not null)
        {
            FindAgentAnomalies(agent, found);
        }

        return found;
    }

    private static void FindAgentAnomalies(AgentResults agent, List<string> found)
    {
        foreach (var c in agent.Cost)
        {
            // The idle bed has a few ICMPv6 neighbour-discovery flows of its own; more than that, or fewer than sent, means the count is not true.
            var slack = Math.Max(20, c.Flows / 100);
            if (c.FlowsSeen < c.Flows || c.FlowsSeen > c.Flows + slack)
            {
                found.Add($"{c.Binary} agent, {c.Level}: tcphealth_flows = {c.FlowsSeen:0}, {c.Flows} sent");
            }

            if (c.FlowsNotTracked > 0)
            {
                found.Add($"{c.Binary} agent, {c.Level}: {c.FlowsNotTracked:0} flows not tracked (flow table full)");
            }

            if (c.Flows == 10_000 && MiB(c.RssBytes) > AgentRssLimitMiB)
            {
                found.Add($"{c.Binary} agent RSS at {c.Level} is {MiB(c.RssBytes):0.0} MiB, above the {AgentRssLimitMiB:0} MiB target (anon {MiB(c.RssAnonBytes):0.0}, file {MiB(c.RssFileBytes):0.0})");
            }

            if (c.Flows > 0 && PerTenThousand(c.CollectionMs, c.Flows) > CollectionMsPer10kFlowsLimit)
            {
                found.Add($"{c.Binary} agent, {c.Level}: collection takes {PerTenThousand(c.CollectionMs, c.Flows):0.00} ms per 10k flows, above the {CollectionMsPer10kFlowsLimit:0} ms target");
            }
        }

        if (agent.Render.MsPerTenThousandSeries > RenderMsPer10kSeriesLimit)
        {
            found.Add($"/metrics render takes {agent.Render.MsPerTenThousandSeries:0.0} ms per 10k series, above the {RenderMsPer10kSeriesLimit:0} ms target");
        }
    }

    private static double PerTenThousand(double value, int count) => value / count * 10_000;

    private static double MiB(long bytes) => bytes / 1048576.0;

    public static string Render(BenchResults r)
    {
        var sb = new StringBuilder();
        var m = r.Machine;
        sb.AppendLine(CultureInfo.InvariantCulture, $"TcpHealth benchmark  {r.Settings.Started}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"machine: kernel {m.Kernel}, CPU {m.CpuModel}, {m.Cores} cores");
        sb.AppendLine();

        if (r.PerPacket is not null && r.Throughput is not null && r.PairedThroughput is not null && r.TestRun is not null && r.MapMemory is not null)
        {
            RenderDatapath(sb, r.Settings, r.PerPacket, r.Throughput, r.PairedThroughput, r.TestRun, r.MapMemory);
        }

        if (r.Agent is not null)
        {
            RenderAgent(sb, r.Agent);
        }

        sb.AppendLine(r.Anomalies.Count == 0 ? "anomalies: none" : "anomalies:");
        foreach (var a in r.Anomalies)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - {a}");
        }

        return sb.ToString();
    }

    private static void RenderDatapath(
        StringBuilder sb, BenchSettings settings, List<VethResult> perPacket, List<ThroughputResult> throughput, List<PairedThroughputResult> paired,
        List<TestRunRow> testRun, List<MapMemoryResult> mapMemory)
    {
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"1. Per-packet BPF cost, iperf3 over veth for {settings.VethSeconds} s, programs on vethA (TCX), BPF stats ON; median of {settings.VethRepeats} runs,");
        sb.AppendLine("   alternating with the no-op control measured the same way (stats and hook overhead plus the load's cache misses)");
        Table(sb, ["case", "Gbit/s", "egress ns/run", "no-op", "runs", "segs/run", "B/run", "ingress ns/run", "no-op", "runs", "segs/run", "B/run", "rtt samples"],
            perPacket.Select(v => new[]
            {
                v.Case, F(v.Gbps, "0.00"),
                F(v.Egress.NsPerRun, "0"), F(v.Egress.NoopNsPerRun, "0"), v.Egress.Runs.ToString(CultureInfo.InvariantCulture), F(v.Egress.SegmentsPerRun, "0.0"), F(v.Egress.BytesPerRun, "0"),
                F(v.Ingress.NsPerRun, "0"), F(v.Ingress.NoopNsPerRun, "0"), v.Ingress.Runs.ToString(CultureInfo.InvariantCulture), F(v.Ingress.SegmentsPerRun, "0.0"), F(v.Ingress.BytesPerRun, "0"),
                v.Counters.GetValueOrDefault("RttSamples").ToString(CultureInfo.InvariantCulture),
            }));
        sb.AppendLine();

        sb.AppendLine(CultureInfo.InvariantCulture, $"2. Throughput, iperf3 {settings.ThroughputSeconds} s per run, {settings.Rounds} rounds x 3 configurations alternating, BPF stats OFF; medians (min-max)");
        Table(sb, ["case", "no programs", "no-op", "ours", "ours/no-op"],
            throughput.Select(t => new[]
            {
                t.Case, Spread(t, "none"), Spread(t, "noop"), Spread(t, "ours"), F(t.OursOverNoop, "0.000"),
            }));
        sb.AppendLine();

        sb.AppendLine(CultureInfo.InvariantCulture,
            $"2b. Throughput within one transfer of {settings.PairedSeconds} s: the programs take turns on the same TCX links every {settings.PairedWindowMs} ms,");
        sb.AppendLine("    each window of the program under test over the mean of the no-op windows either side (vethA's byte counter), BPF stats OFF;");
        sb.AppendLine("    median ratio (95% interval of the median); the no-op against a second no-op shows what the method resolves");
        Table(sb, ["case", "ours/no-op", "pairs", "no-op/no-op", "pairs", $"loss <= {MaxLoss * 100:0}%"],
            paired.Select(t => new[]
            {
                t.Case, Ratio(t.OursOverNoop), t.OursOverNoop.Pairs.ToString(CultureInfo.InvariantCulture),
                Ratio(t.NoopOverNoop), t.NoopOverNoop.Pairs.ToString(CultureInfo.InvariantCulture),
                t.OursOverNoop.Low >= 1 - MaxLoss ? "met" : t.OursOverNoop.High < 1 - MaxLoss ? "missed" : "cannot tell",
            }));
        sb.AppendLine();

        sb.AppendLine("3. BPF_PROG_TEST_RUN, BPF stats OFF, ns per run (kernel's mean over the repeats)");
        Table(sb, ["packet kind", "repeat", "egress", "ingress", "no-op", "what ran"],
            testRun.Select(t => new[]
            {
                t.Kind, t.Repeat.ToString(CultureInfo.InvariantCulture),
                t.EgressNs is { } e ? F(e, "0") : "-", t.IngressNs is { } i ? F(i, "0") : "-", F(t.NoopNs, "0"), t.Note,
            }));
        sb.AppendLine();

        sb.AppendLine("4. Kernel map memory (memlock from /proc/self/fdinfo)");
        var names = mapMemory[0].Maps.Select(x => x.Map).ToList();
        Table(sb, ["map", "key B", "value B", .. mapMemory.Select(c => $"entries ({c.Configuration})"), .. mapMemory.Select(c => $"MiB ({c.Configuration})")],
            names.Select(n =>
            {
                var first = mapMemory[0].Maps.First(x => x.Map == n);
                return new[] { n, first.KeySize.ToString(CultureInfo.InvariantCulture), first.ValueSize.ToString(CultureInfo.InvariantCulture) }
                    .Concat(mapMemory.Select(c => c.Maps.First(x => x.Map == n).MaxEntries.ToString(CultureInfo.InvariantCulture)))
                    .Concat(mapMemory.Select(c => F(c.Maps.First(x => x.Map == n).MemlockBytes / 1048576.0, "0.00")))
                    .ToArray();
            }).Append(["total", "", "", .. mapMemory.Select(_ => ""), .. mapMemory.Select(c => F(c.TotalMiB, "0.00"))]));
        sb.AppendLine();
    }

    private static void RenderAgent(StringBuilder sb, AgentResults a)
    {
        var env = a.Environment.Count == 0 ? "" : $", environment {string.Join(' ', a.Environment)}";
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"5. Agent process: `tcphealth agent -i vethA` in namespace A, collection every {AgentProcess.CollectionInterval.TotalSeconds:0} s, one UDP datagram per flow per interval{env};");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"   the TCP case: a fresh agent and {AgentCostBench.TcpConnections} connections A -> B, one 16-byte write on each per interval (each ACK echoes it: an RTT histogram per flow);");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"   CPU over {AgentCostBench.WindowIntervals} intervals (a /metrics scrape each), collection = the agent's tcphealth_collection_duration_seconds (map read, snapshots, metric update), median (max)");
        Table(sb, ["build", "case", "flows sent", "flows seen", "RSS MiB", "anon", "file", "of it maps", "peak", "growth", "CPU %", "CPU ms/interval", "collection ms", "ms per 10k flows"],
            a.Cost.Select(c => new[]
            {
                c.Binary, c.Level, c.Flows.ToString(CultureInfo.InvariantCulture), F(c.FlowsSeen, "0"),
                F(MiB(c.RssBytes), "0.0"), F(MiB(c.RssAnonBytes), "0.0"), F(MiB(c.RssFileBytes), "0.0"), F(MiB(c.BpfMapRssBytes), "0.0"), F(MiB(c.PeakRssBytes), "0.0"), F(MiB(c.RssGrowthBytes), "+0.0;-0.0;0.0"),
                F(c.CpuPercent, "0.00"), F(c.CpuMsPerInterval, "0.0"), $"{F(c.CollectionMs, "0.00")} ({F(c.CollectionMsMax, "0.00")})",
                c.Flows == 0 ? "-" : F(PerTenThousand(c.CollectionMs, c.Flows), "0.00"),
            }));
        sb.AppendLine("   RSS = anon (GC heap, native heap) + file (mapped runtime, assemblies or the AOT binary) + shmem (JIT code, mapped twice for W^X);");
        sb.AppendLine("   of it maps = the part of file that is BPF map memory mapped into the agent (RTT histogram slots in use; counted in 4. already);");
        sb.AppendLine("   growth = RSS at the end of the window minus at its start (a heap still growing from interval to interval);");
        sb.AppendLine("   r2r = ReadyToRun; -trimmed = self-contained with the runtime's unused code trimmed away (`make build` publishes r2r-trimmed);");
        sb.AppendLine("   -tiered = tiered JIT on, whose idle CPU (5-20 s after start-up) includes re-compiling warm code");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"   targets: RSS <= {AgentRssLimitMiB:0} MiB at 10k flows, collection <= {CollectionMsPer10kFlowsLimit:0} ms per 10k flows");
        sb.AppendLine();

        sb.AppendLine("6. Start-up: process start to /readyz 200 (BPF load and attach, HTTP listeners, first collection), median (min-max) of 3;");
        sb.AppendLine("   BPF load = the same object loaded in this process (the kernel's verifier), median of 3; `tcphealth --help` to exit, median of 5");
        Table(sb, ["build", "ready ms", "BPF load ms", "ready - BPF load", "--help ms"],
            a.Startup.Select(s => new[]
            {
                s.Binary, $"{F(s.ReadyMs, "0")} ({F(s.ReadyMinMs, "0")}-{F(s.ReadyMaxMs, "0")})", F(s.BpfLoadMs, "0"), F(s.ReadyMs - s.BpfLoadMs, "0"), F(s.HelpMs, "0"),
            }));
        sb.AppendLine();

        var r = a.Render;
        sb.AppendLine("7. /metrics render in this process (tiered JIT off and the agent's code precompiled ReadyToRun, as the agent runs it): the agent's MetricsRenderer over its AgentState, 2,000 UDP + 100 TCP workload pairs; warm medians of 21");
        Table(sb, ["series", "counters", "histogram series", "histograms", "body KiB", "cold ms", "text ms", "OpenMetrics ms", "ms per 10k series", "gzip ms", "alloc MiB"],
        [[
            r.Series.ToString(CultureInfo.InvariantCulture), r.CounterSeries.ToString(CultureInfo.InvariantCulture),
            r.HistogramSeries.ToString(CultureInfo.InvariantCulture), r.Histograms.ToString(CultureInfo.InvariantCulture), F(r.BodyBytes / 1024.0, "0"),
            F(r.ColdMs, "0.0"), F(r.TextMs, "0.00"), F(r.OpenMetricsMs, "0.00"), F(r.MsPerTenThousandSeries, "0.00"), F(r.GzipMs, "0.00"), F(MiB(r.AllocatedBytes), "0.0"),
        ]]);
        sb.AppendLine(CultureInfo.InvariantCulture, $"   target: <= {RenderMsPer10kSeriesLimit:0} ms per 10k series");
        sb.AppendLine();

        var x = a.IdentityIndex;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"8. Identity index ({x.Entries / 1000}k /32 endpoints in {x.Workloads / 1000}k workloads; the Kubernetes pod index will plug in here): IdentityResolver, medians of 11 passes in random order");
        Table(sb, ["entries", "build ms", "retained MiB", "B/entry", "hit ns", "miss ns"],
        [[
            x.Entries.ToString(CultureInfo.InvariantCulture), F(x.BuildMs, "0"), F(MiB(x.RetainedBytes), "0.0"), F(x.BytesPerEntry, "0"), F(x.HitNs, "0"), F(x.MissNs, "0"),
        ]]);
        sb.AppendLine();
    }

    public static void WriteJson(BenchResults r, string path)
    {
        var options = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        File.WriteAllText(path, JsonSerializer.Serialize(r, options) + "\n");
    }

    private static string Ratio(PairedRatio r) => $"{F(r.Median, "0.000")} ({F(r.Low, "0.000")}-{F(r.High, "0.000")})";

    private static string Spread(ThroughputResult t, string config)
    {
        var s = t.SamplesGbps[config];
        return $"{F(t.MedianGbps[config], "0.00")} ({F(s.Min(), "0.00")}-{F(s.Max(), "0.00")})";
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Left-aligned first and last text column, right-aligned numbers, two spaces between columns.</summary>
    private static void Table(StringBuilder sb, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, c) => c == 0 || c == header.Length - 1 && header[c] == "what ran"
                ? cell.PadRight(widths[c])
                : cell.PadLeft(widths[c]));
            sb.AppendLine(string.Join("  ", cells).TrimEnd());
        }
    }
}
