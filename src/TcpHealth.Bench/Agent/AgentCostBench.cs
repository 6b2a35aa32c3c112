using System.Diagnostics;

namespace TcpHealth.Bench.Agent;

/// <param name="Flows">Flows sent (0 = idle).</param>
/// <param name="FlowsSeen">The agent's own tcphealth_flows: should be Flows plus the few ICMPv6 neighbour-discovery flows of the idle bed.</param>
/// <param name="CpuPercent">utime + stime over <see cref="AgentCostBench.WindowIntervals"/> collection intervals, percent of one core.</param>
/// <param name="CpuMsPerInterval">The same as CPU time per collection interval: collection, metric update, one scrape, timers, GC.</param>
/// <param name="CollectionMs">Median of the agent's tcphealth_collection_duration_seconds over the window (map read, snapshots, metric update).</param>
/// <param name="RssGrowthBytes">How much RSS grew over the window: a heap that keeps growing from interval to interval shows here.</param>
public sealed record AgentCostRow(
    string Binary, string Level, int Flows, double FlowsSeen, double FlowsNotTracked,
    long RssBytes, long RssAnonBytes, long RssFileBytes, long BpfMapRssBytes, long PeakRssBytes, long RssGrowthBytes,
    double CpuPercent, double CpuMsPerInterval, double CollectionMs, double CollectionMsMax);

/// <summary>
/// Measurement 5: the agent process itself, idle and tracking 10k and 100k
/// real, active UDP flows (each sends a datagram every interval), then 10k TCP
/// connections (each writes every interval, so each has an RTT histogram):
/// RSS, CPU, and how long its collections take.
/// </summary>
public static class AgentCostBench
{
    /// <summary>
    /// CPU is averaged over this many collection intervals (one tick is 10 ms; a longer window
    /// makes an idle agent's few ticks mean something), and the collection time is their
    /// median: one collection on this VM can take twice another's.
    /// </summary>
    public const int WindowIntervals = 6;

    public static readonly (string Level, int Flows)[] Levels = [("idle", 0), ("10k flows", 10_000), ("100k flows", 100_000)];

    /// <summary>TCP connections of the last case: each with an RTT histogram, which UDP flows do not have.</summary>
    public const int TcpConnections = 10_000;
    public const string TcpLevel = "10k TCP flows";

    public static List<AgentCostRow> Run(Testbed bed, AgentBinary binary, IReadOnlyList<string> environment, Action<string> progress)
    {
        var rows = new List<AgentCostRow>();
        using (var agent = AgentProcess.Start(binary, bed, environment))
        using (var flows = new UdpFlows(bed))
        {
            foreach (var (level, n) in Levels)
            {
                progress($"agent cost ({binary.Label}): {level}");
                // All n again, not just the new ones: the first 10k must not go idle (120 s) during the 100k case.
                rows.Add(Measure(agent, binary, level, n, () => flows.Send(n)));
            }

            agent.Stop();
        }

        // A fresh agent, so the UDP flows above (idle for 120 s) are not in its table.
        progress($"agent cost ({binary.Label}): {TcpLevel}");
        using (var agent = AgentProcess.Start(binary, bed, environment))
        using (var connections = new TcpFlows(bed, TcpConnections))
        {
            rows.Add(Measure(agent, binary, TcpLevel, connections.Count, connections.Send));
            agent.Stop();
        }

        return rows;
    }

    private static AgentCostRow Measure(AgentProcess agent, AgentBinary binary, string level, int n, Action send)
    {
        send();
        WaitForFlows(agent, n);

        // One more collection: the first read of new flows creates their cursors and series; measure the steady state after it.
        Thread.Sleep(AgentProcess.CollectionInterval);
        var before = agent.Sample();
        var durations = new List<double>();
        MetricsText metrics = null!;
        for (var i = 0; i < WindowIntervals; i++)
        {
            // Every flow moves every interval: each read finds all n changed, the worst case for a collection.
            send();
            Thread.Sleep(AgentProcess.CollectionInterval);
            metrics = new MetricsText(agent.Metrics());
            durations.Add(metrics["tcphealth_collection_duration_seconds"] * 1000);
        }

        var after = agent.Sample();
        var cpu = ProcessSample.CpuPercent(before, after);
        return new AgentCostRow(
            binary.Label, level, n, metrics["tcphealth_flows"], metrics["tcphealth_datapath_not_tracked_total{what=\"flows\"}"],
            after.RssBytes, after.RssAnonBytes, after.RssFileBytes, after.BpfMapRssBytes, after.PeakRssBytes, after.RssBytes - before.RssBytes,
            cpu, cpu / 100 * AgentProcess.CollectionInterval.TotalMilliseconds,
            Stats.Median(durations), durations.Max());
    }

    private static void WaitForFlows(AgentProcess agent, int n)
    {
        // A collection every interval; two of them are plenty. If the count never gets there, the report says so.
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < 2 * AgentProcess.CollectionInterval + TimeSpan.FromSeconds(1))
        {
            if (new MetricsText(agent.Metrics())["tcphealth_flows"] >= n)
            {
                return;
            }

            Thread.Sleep(500);
        }
    }
}
