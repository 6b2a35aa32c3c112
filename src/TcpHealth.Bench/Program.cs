using System.Globalization;
using System.Runtime.InteropServices;
using TcpHealth.Bench;
using TcpHealth.Bench.Agent;
using TcpHealth.Bpf;

// tcphealth-bench: what TcpHealth costs, in the kernel (the TC programs: the datapath half) and in
// user space (the agent process: the agent half). See Report.Render for what is printed.
var output = "bench-results.json";
int vethSeconds = 4, vethRepeats = 3, throughputSeconds = 4, rounds = 5, pairedSeconds = 40, pairedWindowMs = 200;
bool datapath = true, agent = true;
string? aotBinary = null;
var agentEnv = new List<string>();
const string Usage =
    "usage: tcphealth-bench [--output FILE] [--only agent|datapath] [--veth-seconds N] [--veth-repeats N] [--throughput-seconds N] [--rounds N]\n" +
    "                       [--paired-seconds N] [--paired-window-ms N]\n" +
    "                       [--aot-binary PATH] [--agent-env NAME=VALUE ...]";
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--output": output = Next(); break;
        case "--veth-seconds": vethSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--veth-repeats": vethRepeats = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--throughput-seconds": throughputSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--paired-seconds": pairedSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--paired-window-ms": pairedWindowMs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--only" when i + 1 < args.Length && args[i + 1] is "agent" or "datapath":
            var half = Next();
            datapath = half == "datapath";
            agent = half == "agent";
            break;

        // Another build of tcphealth (Native AOT) to measure next to bin/tcphealth; it needs tcphealth.bpf.o beside it.
        case "--aot-binary": aotBinary = Next(); break;

        // Environment for the agents under test, e.g. DOTNET_GCConserveMemory=9, to see what moves their RSS.
        case "--agent-env" when i + 1 < args.Length && args[i + 1].Contains('='):
            agentEnv.Add(Next());
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

if (Environment.UserName != "root")
{
    Console.Error.WriteLine("tcphealth-bench needs root (network namespaces, BPF): run it with sudo");
    return 2;
}

var oursPath = Path.Combine(AppContext.BaseDirectory, "tcphealth.bpf.o");
var noopPath = Path.Combine(AppContext.BaseDirectory, "noop.bpf.o");
foreach (var p in new[] { oursPath, noopPath })
{
    if (datapath && !File.Exists(p))
    {
        Console.Error.WriteLine($"{p} is missing: build with `make build`");
        return 2;
    }
}

List<AgentBinary> binaries;
try
{
    binaries = agent ? AgentBinary.ToMeasure(aotBinary) : [];
}
catch (FileNotFoundException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Ctrl-C / SIGTERM: kill iperf3 and the agents and delete the namespaces before exiting (TCX links go with the processes).
void OnSignal(PosixSignalContext ctx)
{
    ctx.Cancel = true;
    Console.Error.WriteLine($"\n{ctx.Signal}: cleaning up");
    Shell.CleanUp();
    Environment.Exit(130);
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

void Progress(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

try
{
    var started = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    List<MapMemoryResult>? memory = null;
    List<TestRunRow>? testRun = null;
    if (datapath)
    {
        // Cheap, kernel-only measurements first; they need no network.
        Progress("map memory");
        memory = MapMemory.Run(oursPath);
        Progress("BPF_PROG_TEST_RUN micro-benchmarks");
        EnsureStatsOff();
        testRun = TestRunBench.Run(oursPath, noopPath);
    }

    List<VethResult>? perPacket = null;
    List<ThroughputResult>? throughput = null;
    List<PairedThroughputResult>? paired = null;
    AgentResults? agentResults = null;
    using (var bed = Testbed.Create())
    {
        if (datapath)
        {
            perPacket = VethBench.Run(bed, oursPath, noopPath, vethSeconds, vethRepeats, Progress);
            EnsureStatsOff();
            throughput = ThroughputBench.Run(bed, oursPath, noopPath, rounds, throughputSeconds, Progress);
            paired = PairedThroughputBench.Run(bed, oursPath, noopPath, pairedSeconds, TimeSpan.FromMilliseconds(pairedWindowMs), Progress);
        }

        if (agent)
        {
            agentResults = AgentBench.Run(bed, binaries, agentEnv, Progress);
        }
    }

    var results = new BenchResults(
        Machine.Current(), new BenchSettings(vethSeconds, vethRepeats, throughputSeconds, rounds, pairedSeconds, pairedWindowMs, started, datapath, agent),
        perPacket, throughput, paired, testRun, memory, agentResults, Report.FindAnomalies(perPacket, paired, agentResults));
    Console.WriteLine(Report.Render(results));
    Report.WriteJson(results, output);
    Console.WriteLine($"written {output}");
    return 0;
}
catch (Exception e)
{
    // Every failure ends here, so the finally below always runs (an unhandled exception may skip it).
    Console.Error.WriteLine($"tcphealth-bench: {e.GetType().Name}: {e.Message}");
    return 1;
}
finally
{
    Shell.CleanUp();
}

// Stats add ~70-90 ns per run: measurements meant without them must not silently get them
// from a sysctl someone left on (our own BpfStats handle is disposed by then).
static void EnsureStatsOff()
{
    if (File.ReadAllText("/proc/sys/kernel/bpf_stats_enabled").Trim() != "0")
    {
        throw new InvalidOperationException("kernel.bpf_stats_enabled is on (sysctl or another process); turn it off for stats-free measurements");
    }
}
