using System.Diagnostics;
using TcpHealth.Bpf;

namespace TcpHealth.Bench.Agent;

/// <param name="ReadyMs">Process start to /readyz 200: runtime start, config, BPF load and verify, attach, HTTP listeners, first collection.</param>
/// <param name="BpfLoadMs">Loading the agent's BPF object in this process (the kernel verifying every program): the part of ReadyMs no build of the agent can change.</param>
/// <param name="HelpMs">`tcphealth --help` start to exit: the runtime and the command line alone.</param>
public sealed record StartupRow(string Binary, double ReadyMs, double ReadyMinMs, double ReadyMaxMs, double BpfLoadMs, double HelpMs);

/// <summary>Measurement 6: how fast each build starts, the other half of the Native AOT question.</summary>
public static class StartupBench
{
    private const int AgentStarts = 3;
    private const int HelpRuns = 5;

    public static StartupRow Run(Testbed bed, AgentBinary binary, IReadOnlyList<string> environment, Action<string> progress)
    {
        progress($"start-up ({binary.Label})");
        var ready = new List<double>();
        for (var i = 0; i < AgentStarts; i++)
        {
            using var agent = AgentProcess.Start(binary, bed, environment);
            ready.Add(agent.TimeToReady.TotalMilliseconds);
            agent.Stop();
        }

        var load = new List<double>();
        for (var i = 0; i < AgentStarts; i++)
        {
            var sw = Stopwatch.StartNew();
            using var obj = BpfObject.Load(binary.BpfObjectPath);
            load.Add(sw.Elapsed.TotalMilliseconds);
        }

        // One unmeasured run first: the page cache, not the runtime, would dominate a cold first start.
        var help = new List<double>();
        for (var i = 0; i <= HelpRuns; i++)
        {
            var sw = Stopwatch.StartNew();
            var (code, _, stderr) = Shell.TryRun(TimeSpan.FromSeconds(30), ["env", .. environment, binary.Path, "--help"]);
            sw.Stop();
            if (code != 0)
            {
                throw new InvalidOperationException($"{binary.Path} --help exited {code}: {stderr.Trim()}");
            }

            if (i > 0)
            {
                help.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        return new StartupRow(binary.Label, Stats.Median(ready), ready.Min(), ready.Max(), Stats.Median(load), Stats.Median(help));
    }
}
