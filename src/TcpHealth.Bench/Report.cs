using System.Globalization;
using System.Text;
using System.Text.Json;

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

public sealed record BenchSettings(int VethSeconds, int ThroughputSeconds, int Rounds, string Started);

public sealed record BenchResults(
    Machine Machine, BenchSettings Settings, List<VethResult> PerPacket, List<ThroughputResult> Throughput,
    List<TestRunRow> TestRun, List<MapMemoryResult> MapMemory, List<string> Anomalies);

/// <summary>The printed tables, the anomaly checks and the JSON file.</summary>
public static class Report
{
    /// <summary>Above this (stats on) the per-packet cost is worth a look: the reference parser measured ~200 ns.</summary>
    public const double NsPerRunLimit = 220;

    /// <summary>More throughput loss than this against the no-op control is worth a look.</summary>
    public const double MaxLoss = 0.02;

    public static List<string> FindAnomalies(List<VethResult> perPacket, List<ThroughputResult> throughput)
    {
        var found = new List<string>();
        foreach (var r in perPacket)
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

        foreach (var t in throughput)
        {
            if (t.OursOverNoop < 1 - MaxLoss)
            {
                found.Add($"throughput ours/no-op = {t.OursOverNoop:0.000} in '{t.Case}' ({(1 - t.OursOverNoop) * 100:0.0}% loss, above {MaxLoss * 100:0}%)");
            }
        }

        return found;
    }

    public static string Render(BenchResults r)
    {
        var sb = new StringBuilder();
        var m = r.Machine;
        sb.AppendLine(CultureInfo.InvariantCulture, $"TcpHealth benchmark  {r.Settings.Started}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"machine: kernel {m.Kernel}, CPU {m.CpuModel}, {m.Cores} cores");
        sb.AppendLine();

        sb.AppendLine(CultureInfo.InvariantCulture, $"1. Per-packet BPF cost, iperf3 over veth for {r.Settings.VethSeconds} s, programs on vethA (TCX), BPF stats ON (stats add ~70-90 ns/run)");
        Table(sb, ["case", "Gbit/s", "egress ns/run", "egress runs", "segs/run", "B/run", "ingress ns/run", "ingress runs", "segs/run", "B/run", "rtt samples"],
            r.PerPacket.Select(v => new[]
            {
                v.Case, F(v.Gbps, "0.00"),
                F(v.Egress.NsPerRun, "0"), v.Egress.Runs.ToString(CultureInfo.InvariantCulture), F(v.Egress.SegmentsPerRun, "0.0"), F(v.Egress.BytesPerRun, "0"),
                F(v.Ingress.NsPerRun, "0"), v.Ingress.Runs.ToString(CultureInfo.InvariantCulture), F(v.Ingress.SegmentsPerRun, "0.0"), F(v.Ingress.BytesPerRun, "0"),
                v.Counters.GetValueOrDefault("RttSamples").ToString(CultureInfo.InvariantCulture),
            }));
        sb.AppendLine();

        sb.AppendLine(CultureInfo.InvariantCulture, $"2. Throughput, iperf3 {r.Settings.ThroughputSeconds} s per run, {r.Settings.Rounds} rounds x 3 configurations alternating, BPF stats OFF; medians (min-max)");
        Table(sb, ["case", "no programs", "no-op", "ours", "ours/no-op"],
            r.Throughput.Select(t => new[]
            {
                t.Case, Spread(t, "none"), Spread(t, "noop"), Spread(t, "ours"), F(t.OursOverNoop, "0.000"),
            }));
        sb.AppendLine();

        sb.AppendLine("3. BPF_PROG_TEST_RUN, BPF stats OFF, ns per run (kernel's mean over the repeats)");
        Table(sb, ["packet kind", "repeat", "egress", "ingress", "no-op", "what ran"],
            r.TestRun.Select(t => new[]
            {
                t.Kind, t.Repeat.ToString(CultureInfo.InvariantCulture),
                t.EgressNs is { } e ? F(e, "0") : "-", t.IngressNs is { } i ? F(i, "0") : "-", F(t.NoopNs, "0"), t.Note,
            }));
        sb.AppendLine();

        sb.AppendLine("4. Kernel map memory (memlock from /proc/self/fdinfo)");
        var names = r.MapMemory[0].Maps.Select(x => x.Map).ToList();
        Table(sb, ["map", "key B", "value B", .. r.MapMemory.Select(c => $"entries ({c.Configuration})"), .. r.MapMemory.Select(c => $"MiB ({c.Configuration})")],
            names.Select(n =>
            {
                var first = r.MapMemory[0].Maps.First(x => x.Map == n);
                return new[] { n, first.KeySize.ToString(CultureInfo.InvariantCulture), first.ValueSize.ToString(CultureInfo.InvariantCulture) }
                    .Concat(r.MapMemory.Select(c => c.Maps.First(x => x.Map == n).MaxEntries.ToString(CultureInfo.InvariantCulture)))
                    .Concat(r.MapMemory.Select(c => F(c.Maps.First(x => x.Map == n).MemlockBytes / 1048576.0, "0.00")))
                    .ToArray();
            }).Append(["total", "", "", .. r.MapMemory.Select(_ => ""), .. r.MapMemory.Select(c => F(c.TotalMiB, "0.00"))]));
        sb.AppendLine();

        sb.AppendLine(r.Anomalies.Count == 0 ? "anomalies: none" : "anomalies:");
        foreach (var a in r.Anomalies)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - {a}");
        }

        return sb.ToString();
    }

    public static void WriteJson(BenchResults r, string path)
    {
        var options = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        File.WriteAllText(path, JsonSerializer.Serialize(r, options) + "\n");
    }

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
