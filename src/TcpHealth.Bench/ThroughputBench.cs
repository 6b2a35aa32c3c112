using TcpHealth.Bpf;

namespace TcpHealth.Bench;

/// <summary>What sits on vethA's TC hooks during a throughput run.</summary>
public enum HookConfig
{
    None,
    Noop,
    Ours,
}

public sealed record ThroughputResult(
    string Case, bool HostSending, bool Offloads,
    Dictionary<string, double[]> SamplesGbps, Dictionary<string, double> MedianGbps, double OursOverNoop);

/// <summary>
/// Measurement 2: iperf3 goodput with no programs, the no-op control and ours, BPF
/// stats off. Configurations alternate within each round, and the order rotates
/// between rounds, so slow drift of the VM (other tenants, thermal) spreads over
/// all three instead of biasing one.
/// </summary>
public static class ThroughputBench
{
    public static List<ThroughputResult> Run(Testbed bed, string oursPath, string noopPath, int rounds, int seconds, Action<string> progress)
    {
        var configs = Enum.GetValues<HookConfig>();
        var results = new List<ThroughputResult>();
        foreach (var c in TransferCase.All)
        {
            bed.SetOffloads(c.Offloads);
            var samples = configs.ToDictionary(k => k, _ => new List<double>());
            for (var round = 0; round < rounds; round++)
            {
                for (var i = 0; i < configs.Length; i++)
                {
                    var config = configs[(round + i) % configs.Length];
                    progress($"throughput: {c.Label}, round {round + 1}/{rounds}, {config.ToString().ToLowerInvariant()}");
                    samples[config].Add(RunOnce(bed, c, config, oursPath, noopPath, seconds));
                }
            }

            var medians = samples.ToDictionary(kv => Name(kv.Key), kv => Stats.Median(kv.Value));
            results.Add(new ThroughputResult(
                c.Label, c.Direction == TransferDirection.HostSending, c.Offloads,
                samples.ToDictionary(kv => Name(kv.Key), kv => kv.Value.ToArray()),
                medians,
                medians[Name(HookConfig.Ours)] / medians[Name(HookConfig.Noop)]));
        }

        return results;
    }

    public static string Name(HookConfig c) => c.ToString().ToLowerInvariant();

    private static double RunOnce(Testbed bed, TransferCase c, HookConfig config, string oursPath, string noopPath, int seconds)
    {
        if (config == HookConfig.None)
        {
            return bed.RunIperf(c.Direction, seconds).Gbps;
        }

        // Loaded fresh per run: ours starts with empty maps every time (pending_ts never
        // fills up from earlier runs' unechoed timestamps, as no user space expires them here).
        using var obj = BpfObject.Load(config == HookConfig.Ours ? oursPath : noopPath);
        var (egress, ingress) = config == HookConfig.Ours
            ? (obj.Program(ProgramNames.Egress), obj.Program(ProgramNames.Ingress))
            : (obj.Program("noop"), obj.Program("noop"));
        using var links = bed.Attach(egress, ingress);
        return bed.RunIperf(c.Direction, seconds).Gbps;
    }
}
