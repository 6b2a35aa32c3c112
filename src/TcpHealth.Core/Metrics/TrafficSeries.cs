using System.Runtime.CompilerServices;

namespace TcpHealth.Core.Metrics;

/// <summary>The counters of one src→dst label set (packets sent by src to dst).</summary>
public sealed class TrafficSeries
{
    public ulong Bytes;
    public ulong Packets;
    public ulong RetransmittedSegments;
    public ulong Resets;
    public ulong ZeroWindows;
    public ulong CrossZoneBytes;
}

/// <summary>A single counter.</summary>
public sealed class CounterSeries
{
    public ulong Value;
}

/// <summary>One Prometheus histogram: per-bucket (not cumulative) counts, the last one +Inf.</summary>
public sealed class HistogramSeries(int bounds)
{
    public ulong[] Counts { get; } = new ulong[bounds + 1];
    public double Sum;

    public void Observe(ReadOnlySpan<double> bounds, double value, ulong count)
    {
        Counts[BucketIndex(bounds, value)] += count;
        Sum += value * count;
    }

    /// <summary>Index of the first bound at or above <paramref name="value"/>; bounds.Length for +Inf.</summary>
    [MethodImpl(HotPath.JitCompiled)]
    public static int BucketIndex(ReadOnlySpan<double> bounds, double value)
    {
        int lo = 0, hi = bounds.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (bounds[mid] >= value) hi = mid; else lo = mid + 1;
        }
        return lo;
    }
}
