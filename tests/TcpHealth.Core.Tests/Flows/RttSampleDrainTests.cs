using TcpHealth.Bpf;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Tests.Flows;

public class RttSampleDrainTests
{
    [Fact]
    public void A_take_moves_the_buckets_below_and_above_and_copies_the_totals()
    {
        var live = new RttHist { Count = 9, SumNs = 900, MinNs = 50, MaxNs = 200, BaseOctave = 12, Below = 1, Above = 2 };
        live.AsSpan()[0] = 3;
        live.AsSpan()[95] = 3;
        var into = new RttHist();
        into.AsSpan()[40] = 7; // what an earlier take left in the copy goes

        RttSampleDrain.Take(ref live, ref into);

        Assert.Equal((9UL, 900UL, 50UL, 200UL, 12U, 1U, 2U), (into.Count, into.SumNs, into.MinNs, into.MaxNs, into.BaseOctave, into.Below, into.Above));
        Assert.Equal(3U, into.AsSpan()[0]);
        Assert.Equal(3U, into.AsSpan()[95]);
        Assert.Equal(6, into.AsSpan().ToArray().Sum(b => (long)b));
        Assert.Equal((9UL, 900UL, 12U, 0U, 0U), (live.Count, live.SumNs, live.BaseOctave, live.Below, live.Above));
        Assert.All(live.AsSpan().ToArray(), b => Assert.Equal(0U, b));

        RttSampleDrain.Take(ref live, ref into);
        Assert.Equal(0, into.AsSpan().ToArray().Sum(b => (long)b) + into.Below + into.Above);
    }

    [Fact]
    public async Task Samples_added_while_they_are_taken_are_each_taken_once()
    {
        // One thread adds as the datapath does (an atomic add per sample), another takes
        // over and over meanwhile: what was taken, word by word, is what was added.
        const int Samples = 3_000_000;
        var record = new RttHist[1];
        var added = new long[RttHistogram.BucketCount + 2];
        var taken = new long[RttHistogram.BucketCount + 2];
        int takes = 0;
        var adder = Task.Run(() =>
        {
            var rng = new Random(7);
            for (int i = 0; i < Samples; i++)
            {
                // A few hot words, as a flow's RTT fills a few buckets.
                int k = rng.Next(8) switch { 0 => RttHistogram.BucketCount, 1 => RttHistogram.BucketCount + 1, var n => 40 + n };
                ref uint word = ref k == RttHistogram.BucketCount ? ref record[0].Below
                    : ref k == RttHistogram.BucketCount + 1 ? ref record[0].Above
                    : ref record[0].AsSpan()[k];
                Interlocked.Increment(ref word);
                added[k]++;
            }
        });

        var into = new RttHist();
        void TakeOnce()
        {
            RttSampleDrain.Take(ref record[0], ref into);
            for (int k = 0; k < RttHistogram.BucketCount; k++)
                taken[k] += into.AsSpan()[k];
            taken[RttHistogram.BucketCount] += into.Below;
            taken[RttHistogram.BucketCount + 1] += into.Above;
            takes++;
        }
        while (!adder.IsCompleted)
            TakeOnce();
        await adder;
        TakeOnce();

        Assert.True(takes > 100, $"only {takes} takes ran during the adds");
        Assert.Equal(Samples, added.Sum());
        Assert.Equal(added, taken);
    }
}
