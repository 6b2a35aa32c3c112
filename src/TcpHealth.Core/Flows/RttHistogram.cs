using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// The per-flow RTT histogram the kernel keeps (see bpf/tcphealth.h): 16
/// log-linear buckets per power of two in a window of six powers of two that
/// starts one octave below the flow's first sample, plus counts of samples
/// below and above the window. Quantiles interpolate inside a bucket whose
/// range is first clamped to the flow's exact min and max, so a tight
/// distribution reads almost exactly and a wide one is within half a bucket
/// (≤ 3.2%) of the truth. A value, so reading a flow's histogram allocates
/// nothing (a collection reads thousands).
/// </summary>
public readonly struct RttHistogram
{
    public const int SubBits = 4;
    public const int SubBuckets = 1 << SubBits;
    public const int Octaves = 6;
    public const int BucketCount = Octaves * SubBuckets;
    public const int MinOctave = 10;

    /// <summary>The highest window anchor: the kernel anchors one octave below a sample's, and a 64-bit sample's is at most 63.</summary>
    public const int MaxBaseOctave = 63;

    // Entry _index of a read of the kernel map, or a record of its own (the first constructor).
    private readonly RttHist[] _records;
    private readonly int _index;

    public RttHistogram(int baseOctave, uint below, uint above, ReadOnlySpan<uint> buckets, ulong minNs, ulong maxNs)
    {
        if (buckets.Length != BucketCount)
            throw new ArgumentException($"expected {BucketCount} buckets, got {buckets.Length}", nameof(buckets));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseOctave);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(baseOctave, MaxBaseOctave);
        _records = [new RttHist { BaseOctave = (uint)baseOctave, Below = below, Above = above, MinNs = minNs, MaxNs = maxNs }];
        buckets.CopyTo(_records[0].AsSpan());
    }

    /// <summary>
    /// A view of <paramref name="records"/>[<paramref name="index"/>], not a copy: its
    /// buckets are the array's, so it is valid as long as the caller leaves that entry
    /// alone (a datapath session reads the map into the same array again next collection).
    /// </summary>
    [MethodImpl(HotPath.JitCompiled)]
    public RttHistogram(RttHist[] records, int index)
    {
        ref var r = ref records[index];
        if (!HasWindow(r))
            throw new ArgumentException($"the record has no histogram window (anchor {r.BaseOctave})", nameof(records));
        _records = records;
        _index = index;
    }

    /// <summary>Whether the kernel anchored the record's window (at its first sample), so it can be viewed as a histogram.</summary>
    public static bool HasWindow(in RttHist record) => record.BaseOctave is not (0 or > MaxBaseOctave);

    /// <summary>The window starts at 2^BaseOctave ns: 1 to <see cref="MaxBaseOctave"/>.</summary>
    public int BaseOctave => (int)Record.BaseOctave;
    public ulong Below => Record.Below;
    public ulong Above => Record.Above;
    public ulong MinNs => Record.MinNs;
    public ulong MaxNs => Record.MaxNs;

    /// <summary>Samples in the buckets, below and above (added up when asked: a collection mostly does not ask).</summary>
    public ulong Count => CountOf(Below, Above, Buckets);
    public ReadOnlySpan<uint> Buckets => _records[_index].AsSpan();

    private ref readonly RttHist Record => ref _records[_index];

    [MethodImpl(HotPath.JitCompiled)]
    private static ulong CountOf(ulong below, ulong above, ReadOnlySpan<uint> buckets)
    {
        // Widened to 64 bits: 96 buckets of up to 2^32 - 1 each may pass 2^32 together.
        var sum = Vector256<ulong>.Zero;
        int i = 0;
        for (; i <= buckets.Length - Vector256<uint>.Count; i += Vector256<uint>.Count)
        {
            var (lower, upper) = Vector256.Widen(Vector256.Create(buckets.Slice(i, Vector256<uint>.Count)));
            sum += lower + upper;
        }
        ulong count = below + above + Vector256.Sum(sum);
        for (; i < buckets.Length; i++)
            count += buckets[i];
        return count;
    }

    /// <summary>Lower bound (ns) of bucket <paramref name="index"/> in a window starting at 2^baseOctave.</summary>
    public static ulong BucketLowerBound(int baseOctave, int index)
    {
        int octave = baseOctave + index / SubBuckets;
        int sub = index % SubBuckets;
        return (1UL << octave) + ((ulong)sub << (octave - SubBits));
    }

    /// <summary>Upper bound (exclusive, ns) of bucket <paramref name="index"/>.</summary>
    public static ulong BucketUpperBound(int baseOctave, int index) =>
        BucketLowerBound(baseOctave, index) + (1UL << (baseOctave + index / SubBuckets - SubBits));

    /// <summary>The window anchor the kernel picks for a flow whose first sample is <paramref name="firstNs"/>.</summary>
    public static int AnchorFor(ulong firstNs)
    {
        int octave = firstNs == 0 ? 0 : 63 - (int)ulong.LeadingZeroCount(firstNs);
        return octave > MinOctave ? octave - 1 : MinOctave;
    }

    /// <summary>
    /// Where the kernel puts a sample: -1 below the window, BucketCount above
    /// it, else the bucket index. Mirrors record_rtt_hist() in tcphealth.bpf.c.
    /// </summary>
    public static int BucketOf(int baseOctave, ulong ns)
    {
        int octave = ns == 0 ? 0 : 63 - (int)ulong.LeadingZeroCount(ns);
        if (octave < baseOctave)
            return -1;
        if (octave >= baseOctave + Octaves)
            return BucketCount;
        int sub = (int)((ns >> (octave - SubBits)) & (SubBuckets - 1));
        return (octave - baseOctave) * SubBuckets + sub;
    }

    /// <summary>
    /// The <paramref name="q"/>-quantile (0..1) in nanoseconds, or null when
    /// the histogram is empty.
    /// </summary>
    public double? Quantile(double q)
    {
        ulong count = Count;
        if (count == 0)
            return null;
        if (q is < 0 or > 1 or double.NaN)
            throw new ArgumentOutOfRangeException(nameof(q), q, "quantile must be within [0, 1]");

        double rank = Math.Max(q * count, 0.5);
        double seen = 0;
        var buckets = Buckets;
        ulong windowStart = 1UL << BaseOctave;
        ulong windowEnd = 1UL << (BaseOctave + Octaves);

        if (TryLocate(Below, MinNs, windowStart, ref seen, rank, out double v))
            return v;
        for (int i = 0; i < BucketCount; i++)
        {
            if (TryLocate(buckets[i], BucketLowerBound(BaseOctave, i), BucketUpperBound(BaseOctave, i), ref seen, rank, out v))
                return v;
        }
        if (TryLocate(Above, windowEnd, MaxNs, ref seen, rank, out v))
            return v;
        return MaxNs;
    }

    // Linear interpolation inside [lo, hi) after clamping it to the flow's
    // exact [min, max]: samples can only lie there.
    private bool TryLocate(ulong count, ulong lo, ulong hi, ref double seen, double rank, out double value)
    {
        value = 0;
        if (count == 0)
            return false;
        if (seen + count < rank)
        {
            seen += count;
            return false;
        }
        double low = Math.Max(lo, MinNs);
        double high = Math.Min(hi, MaxNs);
        if (high < low)
            high = low;
        double fraction = (rank - seen) / count;
        value = low + fraction * (high - low);
        return true;
    }
}
