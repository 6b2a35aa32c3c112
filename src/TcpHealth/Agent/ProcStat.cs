using System.Globalization;

namespace TcpHealth.Agent;

/// <summary>The fields of /proc/PID/stat the process metrics and the agent benchmark use (proc(5)).</summary>
/// <param name="CpuTicks">utime + stime of all its threads, in clock ticks (USER_HZ).</param>
public readonly record struct ProcStat(long CpuTicks, int Threads, double VirtualBytes, long ResidentPages)
{
    public static ProcStat Parse(string stat)
    {
        // Field 2, the command name, is in parentheses and may itself hold spaces and ')'.
        int end = stat.LastIndexOf(')');
        if (end < 0)
            throw new FormatException("/proc/PID/stat has no ')' after the command name");
        // After it: field 3 (state) onwards; utime is field 14, stime 15, num_threads 20, vsize 23, rss 24.
        var f = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 22)
            throw new FormatException($"/proc/PID/stat has {f.Length + 2} fields, expected at least 24");
        return new ProcStat(
            long.Parse(f[14 - 3], CultureInfo.InvariantCulture) + long.Parse(f[15 - 3], CultureInfo.InvariantCulture),
            int.Parse(f[20 - 3], CultureInfo.InvariantCulture),
            double.Parse(f[23 - 3], CultureInfo.InvariantCulture),
            long.Parse(f[24 - 3], CultureInfo.InvariantCulture));
    }
}
