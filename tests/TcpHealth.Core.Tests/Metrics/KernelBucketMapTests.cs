using TcpHealth.Core.Flows;
using TcpHealth.Core.Metrics;

namespace TcpHealth.Core.Tests.Metrics;

public class KernelBucketMapTests
{
    private static readonly double[] Bounds = [0.00005, 0.0001, 0.001, 0.005, 0.01, 0.1, 1];

    [Theory]
    [InlineData(RttHistogram.MinOctave)]
    [InlineData(16)]
    [InlineData(22)]
    [InlineData(33)]
    public void Each_kernel_bucket_maps_to_the_exported_bucket_holding_its_middle(int anchor)
    {
        var targets = new KernelBucketMap(Bounds).For(anchor);
        for (int i = 0; i < RttHistogram.BucketCount; i++)
        {
            double middle = (RttHistogram.BucketLowerBound(anchor, i) + RttHistogram.BucketUpperBound(anchor, i)) / 2.0;
            Assert.Equal(middle, targets.MiddleNs[i]);
            Assert.Equal(HistogramSeries.BucketIndex(Bounds, middle / 1e9), targets.Index[i]);
            Assert.InRange(middle, RttHistogram.BucketLowerBound(anchor, i), RttHistogram.BucketUpperBound(anchor, i));
        }
    }

    [Fact]
    public void An_anchor_is_worked_out_once()
    {
        var map = new KernelBucketMap(Bounds);
        Assert.Same(map.For(20), map.For(20));
        Assert.NotSame(map.For(20), map.For(21));
    }
}
