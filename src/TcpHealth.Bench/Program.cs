using System.Globalization;
using System.Runtime.InteropServices;
using TcpHealth.Bench;
using TcpHealth.Bpf;

// tcphealth-bench: what TcpHealth's TC programs cost. See Report.Render for what is printed.
var output = "bench-results.json";
int vethSeconds = 5, throughputSeconds = 4, rounds = 3;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--output": output = Next(); break;
        case "--veth-seconds": vethSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--throughput-seconds": throughputSeconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine("usage: tcphealth-bench [--output FILE] [--veth-seconds N] [--throughput-seconds N] [--rounds N]");
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
    if (!File.Exists(p))
    {
        Console.Error.WriteLine($"{p} is missing: build with `make build`");
        return 2;
    }
}

// Ctrl-C / SIGTERM: kill iperf3 and delete the namespaces before exiting (TCX links go with the process).
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

    // Cheap, kernel-only measurements first; they need no network.
    Progress("map memory");
    var memory = MapMemory.Run(oursPath);
    Progress("BPF_PROG_TEST_RUN micro-benchmarks");
    EnsureStatsOff();
    var testRun = TestRunBench.Run(oursPath, noopPath);

    List<VethResult> perPacket;
    List<ThroughputResult> throughput;
    using (var bed = Testbed.Create())
    {
        perPacket = VethBench.Run(bed, oursPath, vethSeconds, Progress);
        EnsureStatsOff();
        throughput = ThroughputBench.Run(bed, oursPath, noopPath, rounds, throughputSeconds, Progress);
    }

    var results = new BenchResults(
        Machine.Current(), new BenchSettings(vethSeconds, throughputSeconds, rounds, started),
        perPacket, throughput, testRun, memory, Report.FindAnomalies(perPacket, throughput));
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
