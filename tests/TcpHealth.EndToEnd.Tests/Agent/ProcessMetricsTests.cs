using System.Buffers;
using System.Globalization;
using System.Text;
using TcpHealth.Agent;
using TcpHealth.Core.Exposition;
using TcpHealth.Lab;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>
/// The agent's process_* metrics, read for this test process and checked against
/// what the test itself did (fds opened, memory touched, threads started, CPU burnt)
/// and against the kernel's other views (/proc/self/status, /proc/self/fd, the
/// shell's ulimit).
/// </summary>
public sealed class ProcessMetricsTests
{
    [Fact]
    public void Stat_fields_are_found_after_a_command_name_with_spaces_and_parentheses()
    {
        // proc(5): pid (comm) state ppid ... utime(14) stime(15) ... num_threads(20) itrealvalue starttime vsize(23) rss(24) ...
        var fields = string.Join(' ', Enumerable.Range(3, 50).Select(i => i switch { 3 => "S", 14 => "250", 15 => "50", 20 => "7", 23 => "123456789", 24 => "4321", _ => "0" }));
        var stat = ProcStat.Parse($"4242 (a (b) c) {fields}\n");

        Assert.Equal(new ProcStat(300, 7, 123456789, 4321), stat);
    }

    [Fact]
    public void A_truncated_stat_line_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => ProcStat.Parse("4242 (tcphealth) S 1 2 3"));
        Assert.Throws<FormatException>(() => ProcStat.Parse("4242 tcphealth S 1 2 3"));
    }

    [Fact]
    public void Max_open_files_is_the_soft_limit_and_unlimited_is_none()
    {
        const string limits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max cpu time              unlimited            unlimited            seconds
            Max open files            1024                 524288               files
            """;
        Assert.Equal(1024, ProcessMetrics.MaxOpenFiles(limits));
        Assert.Null(ProcessMetrics.MaxOpenFiles(limits.Replace("1024 ", "unlimited ")));
        Assert.Throws<FormatException>(() => ProcessMetrics.MaxOpenFiles("Limit Soft Limit\n"));
    }

    [Fact]
    public void Metrics_follow_what_the_process_does()
    {
        // Earlier tests' unreachable handles must not be closed by finalizers in the middle of this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = Read();
        Assert.InRange(before["process_threads"], Status("Threads") - 2, Status("Threads") + 2);
        Assert.InRange(before["process_open_fds"], OpenFds() - 2, OpenFds() + 2);

        // 64 more descriptors, 128 MiB touched, 8 more threads, ~300 ms of CPU.
        var files = Enumerable.Range(0, 64).Select(_ => File.OpenRead("/dev/null")).ToList();
        var memory = new byte[128 << 20];
        for (int i = 0; i < memory.Length; i += Environment.SystemPageSize)
            memory[i] = 1;
        using var release = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() => release.Wait())).ToList();
        threads.ForEach(t => t.Start());
        double cpuBefore = CpuSecondsFromProc();
        while (CpuSecondsFromProc() - cpuBefore < 0.3)
            Thread.SpinWait(1000);

        try
        {
            var after = Read();
            // Against the kernel's list at the same moment, not as a difference: other
            // components (output readers of earlier tests' processes) may close theirs meanwhile.
            Assert.InRange(after["process_open_fds"], OpenFds() - 2, OpenFds() + 2);
            Assert.All(files, f => Assert.True(File.Exists($"/proc/self/fd/{f.SafeFileHandle.DangerousGetHandle()}")));
            Assert.True(after["process_resident_memory_bytes"] - before["process_resident_memory_bytes"] >= 120 << 20,
                $"resident grew {(after["process_resident_memory_bytes"] - before["process_resident_memory_bytes"]) / 1048576:F0} MiB after touching 128 MiB");
            Assert.InRange(after["process_resident_memory_bytes"], Status("VmRSS") - (8 << 20), Status("VmRSS") + (8 << 20));
            // Not a difference: idle thread-pool workers may retire meanwhile.
            Assert.InRange(after["process_threads"], Status("Threads") - 2, Status("Threads") + 2);
            Assert.True(after["process_threads"] >= 9, $"{after["process_threads"]} threads while the test holds 8 of its own");
            // /proc counts whole clock ticks; getrusage, behind the metric, is finer.
            Assert.True(after["process_cpu_seconds_total"] - before["process_cpu_seconds_total"] >= 0.28,
                $"cpu {before["process_cpu_seconds_total"]} -> {after["process_cpu_seconds_total"]} s while /proc counted 0.3 s more");
            Assert.True(after["process_virtual_memory_bytes"] >= after["process_resident_memory_bytes"]);
            Assert.Equal(double.Parse(Shell("ulimit -Sn"), CultureInfo.InvariantCulture), after["process_max_fds"]);
            Assert.InRange(after["process_start_time_seconds"], StartTimeFromProc() - 1, StartTimeFromProc() + 1);
        }
        finally
        {
            release.Set();
            threads.ForEach(t => t.Join());
            files.ForEach(f => f.Dispose());
            GC.KeepAlive(memory);
        }
    }

    /// <summary>One rendering of the families, by sample name.</summary>
    private static Dictionary<string, double> Read()
    {
        var body = new ArrayBufferWriter<byte>();
        ExpositionWriter.Write(body, [.. ProcessMetrics.Read()], ExpositionFormat.PrometheusText004);
        return Encoding.UTF8.GetString(body.WrittenSpan).Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private static string[] StatFields()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    private static readonly double ClockTicks = double.Parse(Shell("getconf CLK_TCK"), CultureInfo.InvariantCulture);

    /// <summary>utime + stime (fields 14 and 15), in clock ticks.</summary>
    private static double CpuSecondsFromProc()
    {
        var f = StatFields();
        return (double.Parse(f[14 - 3], CultureInfo.InvariantCulture) + double.Parse(f[15 - 3], CultureInfo.InvariantCulture)) / ClockTicks;
    }

    private static int OpenFds() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    private static double Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var parts = line[(field.Length + 1)..].Trim().Split(' ');
        return double.Parse(parts[0], CultureInfo.InvariantCulture) * (parts.Length > 1 && parts[1] == "kB" ? 1024 : 1);
    }

    /// <summary>Boot time plus the process's start in clock ticks since boot (proc(5)).</summary>
    private static double StartTimeFromProc()
    {
        var startTicks = double.Parse(StatFields()[22 - 3], CultureInfo.InvariantCulture);
        var btime = double.Parse(File.ReadLines("/proc/stat").Single(l => l.StartsWith("btime ", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
        return btime + startTicks / ClockTicks;
    }

    private static string Shell(string command) => CommandRunner.Run("/bin/sh", "-c", command).Trim();
}
