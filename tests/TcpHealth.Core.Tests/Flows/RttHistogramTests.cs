using TcpHealth.Bpf;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Tests.Flows;

public class RttHistogramTests
{
    // Fills a histogram the way record_rtt_hist() in the kernel does.
    private static RttHistogram Build(IReadOnlyList<ulong> samples)
    {
        int anchor = RttHistogram.AnchorFor(samples[0]);
        var buckets = new uint[RttHistogram.BucketCount];
        uint below = 0, above = 0;
        foreach (var s in samples)
        {
            int b = RttHistogram.BucketOf(anchor, s);
            if (b < 0) below++;
            else if (b >= RttHistogram.BucketCount) above++;
            else buckets[b]++;
        }
        return new RttHistogram(anchor, below, above, buckets, samples.Min(), samples.Max());
    }

    private static double Exact(IReadOnlyList<ulong> samples, double q)
    {
        var sorted = samples.OrderBy(x => x).ToArray();
        int rank = Math.Max(1, (int)Math.Ceiling(q * sorted.Length));
        return sorted[rank - 1];
    }

    public static TheoryData<string> Distributions => new() { "point", "uniform", "lognormal", "bimodal", "bufferbloat", "tiny", "huge", "few" };

    private static List<ulong> Samples(string kind)
    {
        var rng = new Random(42);
        var list = new List<ulong>();
        switch (kind)
        {
            case "point": // a quiet delay line: 10 ms +- 20 us
                for (int i = 0; i < 5000; i++) list.Add((ulong)(10_000_000 + rng.Next(-20_000, 20_000)));
                break;
            case "uniform":
                for (int i = 0; i < 5000; i++) list.Add((ulong)rng.NextInt64(1_000_000, 9_000_000));
                break;
            case "lognormal":
                for (int i = 0; i < 5000; i++)
                {
                    double n = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                    list.Add((ulong)(2_000_000 * Math.Exp(0.6 * n)));
                }
                break;
            case "bimodal": // most at 1 ms, 3% at 40 ms
                for (int i = 0; i < 5000; i++) list.Add(i % 33 == 0 ? (ulong)rng.NextInt64(39_000_000, 41_000_000) : (ulong)rng.NextInt64(950_000, 1_050_000));
                break;
            case "bufferbloat": // starts at 1 ms, queues build to 200x: most samples far above the window
                list.Add(1_000_000);
                for (int i = 0; i < 5000; i++) list.Add((ulong)rng.NextInt64(1_000_000, 200_000_000));
                break;
            case "tiny": // same-host veth: 15-40 us
                for (int i = 0; i < 5000; i++) list.Add((ulong)rng.NextInt64(15_000, 40_000));
                break;
            case "huge": // satellite links and stalls: 0.5-9 s
                for (int i = 0; i < 2000; i++) list.Add((ulong)rng.NextInt64(500_000_000, 9_000_000_000));
                break;
            case "few":
                list.AddRange([3_000_000, 3_100_000, 2_900_000]);
                break;
        }
        return list;
    }

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Quantiles_within_five_percent_of_exact_when_inside_window(string kind)
    {
        var samples = Samples(kind);
        var h = Build(samples);
        Assert.Equal((ulong)samples.Count, h.Count);
        foreach (var q in new[] { 0.5, 0.9, 0.99 })
        {
            double exact = Exact(samples, q);
            double got = h.Quantile(q)!.Value;
            bool inWindow = RttHistogram.BucketOf(h.BaseOctave, (ulong)exact) is >= 0 and < RttHistogram.BucketCount;
            // Outside the window the kernel only knows "below"/"above": the
            // estimate is bounded by the flow's min/max, not within 5%.
            if (inWindow)
                Assert.InRange(got, exact * 0.95, exact * 1.05);
            else
                Assert.InRange(got, samples.Min(), samples.Max());
        }
    }

    [Fact]
    public void Window_covers_half_to_sixteen_times_the_first_sample()
    {
        int anchor = RttHistogram.AnchorFor(10_000_000);
        Assert.Equal(0, RttHistogram.BucketOf(anchor, 1UL << anchor));
        Assert.True(RttHistogram.BucketOf(anchor, 5_000_000) >= 0);
        Assert.True(RttHistogram.BucketOf(anchor, 160_000_000) < RttHistogram.BucketCount);
        Assert.Equal(-1, RttHistogram.BucketOf(anchor, (1UL << anchor) - 1));
        Assert.Equal(RttHistogram.BucketCount, RttHistogram.BucketOf(anchor, 1UL << (anchor + RttHistogram.Octaves)));
    }

    [Fact]
    public void Bucket_bounds_tile_the_window_without_gaps()
    {
        const int anchor = 20;
        for (int i = 0; i < RttHistogram.BucketCount - 1; i++)
            Assert.Equal(RttHistogram.BucketUpperBound(anchor, i), RttHistogram.BucketLowerBound(anchor, i + 1));
        for (int i = 0; i < RttHistogram.BucketCount; i++)
        {
            ulong lo = RttHistogram.BucketLowerBound(anchor, i), hi = RttHistogram.BucketUpperBound(anchor, i);
            Assert.Equal(i, RttHistogram.BucketOf(anchor, lo));
            Assert.Equal(i, RttHistogram.BucketOf(anchor, hi - 1));
            Assert.True((hi - lo) / (double)lo <= 1.0 / 16 + 1e-12, "bucket wider than 1/16 of its lower bound");
        }
    }

    [Fact]
    public void Anchor_never_goes_below_the_minimum_octave()
    {
        Assert.Equal(RttHistogram.MinOctave, RttHistogram.AnchorFor(1));
        Assert.Equal(RttHistogram.MinOctave, RttHistogram.AnchorFor(1500));
        Assert.Equal(22, RttHistogram.AnchorFor(10_000_000)); // 2^23 <= 10 ms < 2^24
    }

    [Fact]
    public void A_view_of_a_kernel_record_reads_it_in_place_and_agrees_with_a_copy()
    {
        var records = new RttHist[2];
        ref var r = ref records[1];
        r.BaseOctave = (uint)RttHistogram.AnchorFor(1_000_000);
        r.MinNs = 1_000_000;
        r.MaxNs = 1_300_000;
        r.Below = 1;
        foreach (var ns in new ulong[] { 1_000_000, 1_100_000, 1_200_000, 1_300_000 })
            r.AsSpan()[RttHistogram.BucketOf((int)r.BaseOctave, ns)]++;

        var view = new RttHistogram(records, 1);
        var copy = new RttHistogram((int)r.BaseOctave, r.Below, r.Above, r.AsSpan(), r.MinNs, r.MaxNs);
        Assert.Equal(5ul, view.Count);
        Assert.Equal(copy.Quantile(0.5), view.Quantile(0.5));
        Assert.True(copy.Buckets.SequenceEqual(view.Buckets));

        r.AsSpan()[0] = 9; // the view has no copy of its own
        Assert.Equal(9u, view.Buckets[0]);
        Assert.Throws<ArgumentException>(() => new RttHistogram(records, 0)); // no window yet
    }

    [Fact]
    public void The_count_adds_every_bucket_in_64_bits()
    {
        // Each bucket is 32 bits in the kernel; together they pass 2^32.
        var buckets = new uint[RttHistogram.BucketCount];
        ulong expected = 3 + 4;
        for (int i = 0; i < buckets.Length; i++)
        {
            buckets[i] = i % 7 == 0 ? uint.MaxValue : (uint)i;
            expected += buckets[i];
        }

        Assert.Equal(expected, new RttHistogram(20, 3, 4, buckets, 1, 2).Count);
        Assert.True(expected > uint.MaxValue);
    }

    [Fact]
    public void Empty_histogram_has_no_quantile()
    {
        var h = new RttHistogram(20, 0, 0, new uint[RttHistogram.BucketCount], 0, 0);
        Assert.Null(h.Quantile(0.5));
    }

    [Fact]
    public void Single_sample_reads_back_exactly()
    {
        var h = Build([7_654_321]);
        Assert.Equal(7_654_321, h.Quantile(0.5)!.Value, 0);
        Assert.Equal(7_654_321, h.Quantile(0.99)!.Value, 0);
    }

    [Fact]
    public void Rejects_a_quantile_outside_zero_to_one()
    {
        var h = Build([1_000_000]);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.Quantile(1.5));
    }
}
