namespace TcpHealth.Bpf;

/// <summary>Cumulative run statistics of a program; zero unless <see cref="BpfStats.Enable"/> (or the sysctl) was on while it ran.</summary>
public readonly record struct ProgramStats(ulong RunTimeNs, ulong RunCount)
{
    public double AverageNs => RunCount == 0 ? 0 : (double)RunTimeNs / RunCount;
}
