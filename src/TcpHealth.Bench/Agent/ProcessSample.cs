using System.Globalization;
using TcpHealth.Agent;

namespace TcpHealth.Bench.Agent;

/// <summary>
/// A process's memory and CPU at one moment, from /proc: what `top` and the
/// kubelet see, not what the runtime thinks it uses.
/// </summary>
/// <param name="BpfMapRssBytes">Of RssFile: BPF maps mapped into the process (the kernel's map memory, counted in the map table already).</param>
/// <param name="CpuTicks">utime + stime of all its threads, in clock ticks.</param>
public readonly record struct ProcessSample(DateTime At, long RssBytes, long RssAnonBytes, long RssFileBytes, long BpfMapRssBytes, long PeakRssBytes, long CpuTicks)
{
    // USER_HZ: fixed at 100 on every Linux ABI, whatever the kernel's internal HZ.
    private const double TicksPerSecond = 100;

    public static ProcessSample Read(int pid)
    {
        var at = DateTime.UtcNow;
        long rss = 0, anon = 0, file = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            rss = Field(line, "VmRSS:") ?? rss;
            anon = Field(line, "RssAnon:") ?? anon;
            file = Field(line, "RssFile:") ?? file;
            peak = Field(line, "VmHWM:") ?? peak;
        }

        var ticks = ProcStat.Parse(File.ReadAllText($"/proc/{pid}/stat")).CpuTicks;
        return new ProcessSample(at, rss, anon, file, BpfMapRss(pid), peak, ticks);
    }

    // The Rss: lines of the mappings /proc/PID/smaps names anon_inode:bpf-map.
    private static long BpfMapRss(int pid)
    {
        long sum = 0;
        bool inMap = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-'))
            {
                inMap = line.EndsWith("anon_inode:bpf-map", StringComparison.Ordinal);
            }
            else if (inMap)
            {
                sum += Field(line, "Rss:") ?? 0;
            }
        }

        return sum;
    }

    /// <summary>CPU used between two samples, in percent of one core.</summary>
    public static double CpuPercent(ProcessSample from, ProcessSample to) =>
        (to.CpuTicks - from.CpuTicks) / TicksPerSecond / (to.At - from.At).TotalSeconds * 100;

    private static long? Field(string line, string name) =>
        line.StartsWith(name, StringComparison.Ordinal)
            ? long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024 // "kB"
            : null;
}
