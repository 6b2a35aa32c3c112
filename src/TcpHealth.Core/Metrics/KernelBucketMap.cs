using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Metrics;

/// <summary>
/// Where each bucket of a kernel RTT histogram lands among the exported bucket
/// bounds: the exported bucket holding the kernel bucket's middle. It depends only
/// on the flow's window anchor, so it is worked out once per anchor instead of one
/// binary search per changed bucket of every flow at every collection.
/// </summary>
public sealed class KernelBucketMap(double[] bounds)
{
    private readonly Targets?[] _byAnchor = new Targets?[RttHistogram.MaxBaseOctave + 1];

    /// <summary>The middles and exported buckets of a window anchored at 2^<paramref name="baseOctave"/> ns (see <see cref="RttHistogram.BaseOctave"/>).</summary>
    public Targets For(int baseOctave) => _byAnchor[baseOctave] ??= new Targets(bounds, baseOctave);

    /// <summary>Per kernel bucket: its middle (ns) and the index of the exported bucket holding it.</summary>
    public sealed class Targets
    {
        public Targets(double[] bounds, int baseOctave)
        {
            for (int i = 0; i < RttHistogram.BucketCount; i++)
            {
                MiddleNs[i] = (RttHistogram.BucketLowerBound(baseOctave, i) + RttHistogram.BucketUpperBound(baseOctave, i)) / 2.0;
                Index[i] = HistogramSeries.BucketIndex(bounds, MiddleNs[i] / 1e9);
            }
        }

        public double[] MiddleNs { get; } = new double[RttHistogram.BucketCount];
        public int[] Index { get; } = new int[RttHistogram.BucketCount];
    }
}
