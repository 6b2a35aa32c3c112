using TcpHealth.Bpf;

namespace TcpHealth.Bench;

/// <summary>Per-program cost in one case: kernel run-time accounting over the transfer.</summary>
public sealed record HookCost(string Program, ulong Runs, double NsPerRun, double SegmentsPerRun, double BytesPerRun);

public sealed record VethResult(string Case, bool HostSending, bool Offloads, double Gbps, long Retransmits, HookCost Egress, HookCost Ingress, Dictionary<string, ulong> Counters);

/// <summary>
/// Measurement 1: per-packet cost of tcphealth_egress/ingress on vethA under a real
/// bulk transfer, with the kernel's BPF run-time stats on (which add their own
/// ~70-90 ns per run, so compare against numbers taken the same way).
/// </summary>
public static class VethBench
{
    public static List<VethResult> Run(Testbed bed, string objectPath, int seconds, Action<string> progress)
    {
        var results = new List<VethResult>();
        foreach (var c in TransferCase.All)
        {
            progress($"per-packet cost: {c.Label}");
            bed.SetOffloads(c.Offloads);

            // A fresh object per case: empty maps, so segment counts cover exactly this transfer.
            using var obj = BpfObject.Load(objectPath);
            var egress = obj.Program(ProgramNames.Egress);
            var ingress = obj.Program(ProgramNames.Ingress);
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

            // Segments and bytes per run from our own flow table: how much a GSO/GRO super-packet carries.
            var flows = obj.Map(MapNames.Flows).ReadAll<FlowKey, Flow>();
            var tx = (Segs: Sum(flows, f => f.Tx.Segments), Bytes: Sum(flows, f => f.Tx.Bytes));
            var rx = (Segs: Sum(flows, f => f.Rx.Segments), Bytes: Sum(flows, f => f.Rx.Bytes));

            var counters = obj.Map(MapNames.Counters).ReadPerCpuSums((uint)Enum.GetValues<DatapathCounter>().Length);
            var named = Enum.GetValues<DatapathCounter>().ToDictionary(k => k.ToString(), k => counters[(int)k]);

            results.Add(new VethResult(
                c.Label, c.Direction == TransferDirection.HostSending, c.Offloads, iperf.Gbps, iperf.Retransmits,
                Cost(ProgramNames.Egress, e0, e1, tx.Segs, tx.Bytes),
                Cost(ProgramNames.Ingress, i0, i1, rx.Segs, rx.Bytes),
                named));
        }

        return results;
    }

    private static HookCost Cost(string name, ProgramStats before, ProgramStats after, ulong segments, ulong bytes)
    {
        var runs = after.RunCount - before.RunCount;
        var ns = after.RunTimeNs - before.RunTimeNs;
        return runs == 0
            ? new HookCost(name, 0, 0, 0, 0)
            : new HookCost(name, runs, (double)ns / runs, (double)segments / runs, (double)bytes / runs);
    }

    private static ulong Sum(List<KeyValuePair<FlowKey, Flow>> flows, Func<Flow, ulong> pick)
    {
        var total = 0UL;
        foreach (var f in flows)
        {
            total += pick(f.Value);
        }

        return total;
    }
}
