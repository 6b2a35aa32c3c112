namespace TcpHealth.Core.Config;

/// <summary>The `metrics:` section: histogram layout and the bounds that keep series cardinality in check.</summary>
/// <param name="RttBuckets">Upper bounds of the RTT histogram buckets in seconds, strictly increasing.</param>
/// <param name="SeriesBudget">Most series one metric family may hold; beyond it new label sets are folded away.</param>
/// <param name="SeriesTtl">How long a series with no new samples is kept before it is dropped.</param>
public sealed record MetricsConfig(IReadOnlyList<double> RttBuckets, int SeriesBudget, TimeSpan SeriesTtl)
{
    /// <summary>
    /// 1-2.5-5 steps from 50 µs (a same-host or same-rack round trip) to 10 s
    /// (a connection stuck in retransmission backoff): 17 buckets cover both
    /// with roughly constant relative resolution.
    /// </summary>
    public static IReadOnlyList<double> DefaultRttBuckets { get; } = Array.AsReadOnly(new[]
    {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    });

    public const int DefaultSeriesBudget = 2000;

    public static TimeSpan DefaultSeriesTtl { get; } = TimeSpan.FromMinutes(10);

    public static MetricsConfig Default { get; } = new(DefaultRttBuckets, DefaultSeriesBudget, DefaultSeriesTtl);
}
