namespace TcpHealth.Bpf;

/// <summary>Turns on the kernel's per-program run-time accounting (run_time_ns, run_cnt) while held.</summary>
public static class BpfStats
{
    /// <summary>Costs ~70-90 ns per program run on this VM; dispose to turn it off (unless the sysctl is on).</summary>
    public static IDisposable Enable()
    {
        var fd = Interop.BpfEnableStats(Interop.BPF_STATS_RUN_TIME);
        return new FdHandle(BpfException.ThrowIfNegative(fd, "bpf_enable_stats", "BPF_STATS_RUN_TIME"));
    }
}
