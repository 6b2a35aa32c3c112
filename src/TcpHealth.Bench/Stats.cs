namespace TcpHealth.Bench;

/// <summary>Medians: robust against the odd slow run on a shared 2-core VM.</summary>
public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// A 95% confidence interval for the median that assumes nothing about the distribution:
    /// the order statistics whose ranks lie 1.96 standard deviations of a Binomial(n, 1/2)
    /// either side of the middle. Needs at least 6 values.
    /// </summary>
    public static (double Low, double High) MedianInterval(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length < 6)
            throw new ArgumentException($"{sorted.Length} values are too few for an interval", nameof(values));
        var k = (int)Math.Floor((sorted.Length - 1.96 * Math.Sqrt(sorted.Length)) / 2);
        return (sorted[k], sorted[sorted.Length - 1 - k]);
    }
}
