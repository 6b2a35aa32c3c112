using TcpHealth.Bpf;

namespace TcpHealth.Bench;

/// <summary>A ratio of two programs' throughput: the median over paired windows, with its 95% interval.</summary>
public readonly record struct PairedRatio(double Median, double Low, double High, int Pairs);

public sealed record PairedThroughputResult(
    string Case, bool HostSending, bool Offloads, double WindowSeconds, PairedRatio OursOverNoop, PairedRatio NoopOverNoop);

/// <summary>
/// Measurement 2b: ours against the no-op control within one transfer. Whole runs of a few
/// seconds differ by 20-40% on this VM, which hides a 2% cost; its speed drifts over
/// seconds, though, not from one fraction of a second to the next. So the two programs take
/// turns on the same TCX links (each swap one bpf_link_update per hook) every
/// <c>window</c> of one long iperf3 transfer, the interface's own byte counter gives each
/// window's throughput, and each window of the program under test is compared with the mean
/// of the control windows either side of it (which cancels a steady drift). The same done
/// with the no-op against a second copy of itself shows what the method can resolve.
/// </summary>
public static class PairedThroughputBench
{
    public static List<PairedThroughputResult> Run(Testbed bed, string oursPath, string noopPath, int seconds, TimeSpan window, Action<string> progress)
    {
        var results = new List<PairedThroughputResult>();
        foreach (var c in TransferCase.All)
        {
            bed.SetOffloads(c.Offloads);
            progress($"paired throughput: {c.Label}, ours against the no-op");
            var ours = Measure(bed, c, oursPath, ProgramNames.Egress, ProgramNames.Ingress, noopPath, seconds, window);
            progress($"paired throughput: {c.Label}, the no-op against itself");
            var control = Measure(bed, c, noopPath, "noop", "noop", noopPath, seconds, window);
            results.Add(new PairedThroughputResult(
                c.Label, c.Direction == TransferDirection.HostSending, c.Offloads, window.TotalSeconds, ours, control));
        }

        return results;
    }

    // Throughput under the program pair of testPath over that of a no-op, in alternating windows.
    private static PairedRatio Measure(
        Testbed bed, TransferCase c, string testPath, string egressName, string ingressName, string noopPath, int seconds, TimeSpan window)
    {
        // Fresh objects per measurement: ours starts with empty maps.
        using var test = BpfObject.Load(testPath);
        using var noop = BpfObject.Load(noopPath);
        var (testEgress, testIngress) = (test.Program(egressName), test.Program(ingressName));
        var control = noop.Program("noop");
        using var links = bed.Attach(control, control);
        using var counter = bed.DataBytes(c.Direction);

        var transfer = Task.Run(() => bed.RunIperf(c.Direction, seconds));
        // Past slow start, and done a second before the transfer is.
        Thread.Sleep(TimeSpan.FromSeconds(1));
        var measureFor = TimeSpan.FromSeconds(seconds - 2);
        var rates = new List<double>();
        var time = System.Diagnostics.Stopwatch.StartNew();
        ulong bytes = counter.Read();
        double at = time.Elapsed.TotalSeconds;
        while (time.Elapsed < measureFor && !transfer.IsCompleted)
        {
            // Even windows the control, odd ones the program under test.
            if (rates.Count % 2 == 0)
                links.Replace(control, control);
            else
                links.Replace(testEgress, testIngress);
            Thread.Sleep(window);
            ulong now = counter.Read();
            double nowAt = time.Elapsed.TotalSeconds;
            rates.Add((now - bytes) / (nowAt - at));
            (bytes, at) = (now, nowAt);
        }

        transfer.GetAwaiter().GetResult();
        var ratios = new List<double>();
        for (var i = 1; i + 1 < rates.Count; i += 2)
            ratios.Add(rates[i] / ((rates[i - 1] + rates[i + 1]) / 2));
        var (low, high) = Stats.MedianInterval(ratios);
        return new PairedRatio(Stats.Median(ratios), low, high, ratios.Count);
    }
}
