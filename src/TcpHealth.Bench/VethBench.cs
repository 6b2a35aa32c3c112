using TcpHealth.Bpf;

namespace TcpHealth.Bench;

/// <summary>
/// Per-program cost in one case: the median over the repeats of the kernel's run-time
/// accounting, for ours and for the no-op control under the same kind of load.
/// </summary>
public sealed record HookCost(string Program, ulong Runs, double NsPerRun, double[] NsPerRunRepeats, double NoopNsPerRun, double SegmentsPerRun, double BytesPerRun);

public sealed record VethResult(string Case, bool HostSending, bool Offloads, double Gbps, long Retransmits, HookCost Egress, HookCost Ingress, Dictionary<string, ulong> Counters);

/// <summary>
/// Measurement 1: per-packet cost of tcphealth_egress/ingress on vethA under a real
/// bulk transfer, with the kernel's BPF run-time stats on. Stats add their own cost
/// and a loaded VM adds cache misses to every program, so the no-op control is
/// measured the same way, alternating with ours, as the floor to compare against.
/// </summary>
public static class VethBench
{
    public static List<VethResult> Run(Testbed bed, string objectPath, string noopPath, int seconds, int repeats, Action<string> progress)
    {
        var results = new List<VethResult>();
        foreach (var c in TransferCase.All)
        {
            bed.SetOffloads(c.Offloads);
            var ours = new List<Sample>();
            var noop = new List<Sample>();
            for (var i = 0; i < repeats; i++)
            {
                progress($"per-packet cost: {c.Label}, {i + 1}/{repeats}");
                ours.Add(Measure(bed, c, objectPath, ProgramNames.Egress, ProgramNames.Ingress, seconds));
                noop.Add(Measure(bed, c, noopPath, "noop", "noop", seconds));
            }

            // Segments, bytes and counters from the median run of ours (by egress cost).
            var typical = ours.OrderBy(s => s.EgressNs).ElementAt(ours.Count / 2);
            results.Add(new VethResult(
                c.Label, c.Direction == TransferDirection.HostSending, c.Offloads, typical.Iperf.Gbps, typical.Iperf.Retransmits,
                Cost(ProgramNames.Egress, ours, noop, s => s.EgressNs, typical.EgressRuns, typical.TxSegments, typical.TxBytes),
                Cost(ProgramNames.Ingress, ours, noop, s => s.IngressNs, typical.IngressRuns, typical.RxSegments, typical.RxBytes),
                typical.Counters));
        }

        return results;
    }

    private sealed record Sample(
        IperfResult Iperf, double EgressNs, ulong EgressRuns, double IngressNs, ulong IngressRuns,
        ulong TxSegments, ulong TxBytes, ulong RxSegments, ulong RxBytes, Dictionary<string, ulong> Counters);

    private static Sample Measure(Testbed bed, TransferCase c, string objectPath, string egressName, string ingressName, int seconds)
    {
        // A fresh object per run: empty maps, so segment counts cover exactly this transfer.
        using var obj = BpfObject.Load(objectPath);
        var egress = obj.Program(egressName);
        // The no-op object has one program; attaching it twice gives one figure for both hooks.
        var ingress = egressName == ingressName ? egress : obj.Program(ingressName);
        using var links = bed.Attach(egress, ingress);

        IperfResult iperf;
        ProgramStats e0, i0, e1, i1;
        using (BpfStats.Enable())
        {
            e0 = egress.Stats();
            i0 = ingress.Stats();
            iperf = bed.RunIperf(c.Direction, seconds);
            e1 = egress.Stats();
            i1 = ingress.Stats();
        }

        if (egressName == ingressName)
        {
            var runs = e1.RunCount - e0.RunCount;
            var ns = runs == 0 ? 0 : (double)(e1.RunTimeNs - e0.RunTimeNs) / runs;
            return new Sample(iperf, ns, runs, ns, runs, 0, 0, 0, 0, []);
        }

        // Segments and bytes per run from our own flow table: how much a GSO/GRO super-packet carries.
        var flowTable = obj.Map(MapNames.Flows);
        var flows = obj.Map(MapNames.FlowSlots).ReadAll<FlowKey, uint>()
            .Select(kv => flowTable.TryLookup(kv.Value, out Flow flow) ? flow : default).ToList();
        var counters = obj.Map(MapNames.Counters).ReadPerCpuSums((uint)Enum.GetValues<DatapathCounter>().Length);
        return new Sample(
            iperf,
            PerRun(e0, e1), e1.RunCount - e0.RunCount,
            PerRun(i0, i1), i1.RunCount - i0.RunCount,
            Sum(flows, f => f.Tx.Segments), Sum(flows, f => f.Tx.Bytes),
            Sum(flows, f => f.Rx.Segments), Sum(flows, f => f.Rx.Bytes),
            Enum.GetValues<DatapathCounter>().ToDictionary(k => k.ToString(), k => counters[(int)k]));
    }

    private static double PerRun(ProgramStats before, ProgramStats after)
    {
        var runs = after.RunCount - before.RunCount;
        return runs == 0 ? 0 : (double)(after.RunTimeNs - before.RunTimeNs) / runs;
    }

    private static HookCost Cost(string name, List<Sample> ours, List<Sample> noop, Func<Sample, double> ns, ulong runs, ulong segments, ulong bytes) =>
        new(name, runs, Stats.Median(ours.Select(ns)), ours.Select(ns).ToArray(), Stats.Median(noop.Select(ns)),
            runs == 0 ? 0 : (double)segments / runs, runs == 0 ? 0 : (double)bytes / runs);

    private static ulong Sum(List<Flow> flows, Func<Flow, ulong> pick)
    {
        var total = 0UL;
        foreach (var f in flows)
        {
            total += pick(f);
        }

        return total;
    }
}
