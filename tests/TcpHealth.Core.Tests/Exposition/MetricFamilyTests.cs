using TcpHealth.Core.Exposition;

namespace TcpHealth.Core.Tests.Exposition;

public class MetricFamilyTests
{
    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("tcp-health")]
    [InlineData("tcp health")]
    [InlineData("tcphealth_é")]
    [InlineData("tcphealth.bytes")]
    public void Invalid_metric_names_throw(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricFamily(name, "h", MetricType.Gauge, []));
        Assert.Contains("Invalid metric name", e.Message);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("_a")]
    [InlineData(":a:b_9")]
    [InlineData("tcphealth_rtt_seconds")]
    public void Valid_metric_names_are_accepted(string name)
    {
        Assert.Equal(name, new MetricFamily(name, "h", MetricType.Gauge, []).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9a")]
    [InlineData("a:b")]
    [InlineData("a-b")]
    [InlineData("__name__")]
    [InlineData("__x")]
    public void Invalid_label_names_throw(string label)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricFamily("m", "h", MetricType.Gauge, [label]));
        Assert.Contains("label name", e.Message);
    }

    [Fact]
    public void Null_name_and_duplicate_label_names_throw()
    {
        Assert.Throws<ArgumentNullException>(() => new MetricFamily(null!, "h", MetricType.Gauge, []));
        var e = Assert.Throws<ArgumentException>(() => new MetricFamily("m", "h", MetricType.Gauge, ["a", "b", "a"]));
        Assert.Contains("appears twice", e.Message);
    }

    [Fact]
    public void Counter_name_must_be_the_base_name()
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricFamily("tcphealth_resets_total", "h", MetricType.Counter, []));
        Assert.Contains("without '_total'", e.Message);
    }

    [Fact]
    public void Histogram_rejects_an_le_label()
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricFamily("h", "h", MetricType.Histogram, ["a", "le"], [1]));
        Assert.Contains("'le' is reserved", e.Message);
        // Only histograms reserve it.
        Assert.NotNull(new MetricFamily("g", "h", MetricType.Gauge, ["le"]));
    }

    [Theory]
    [InlineData(new[] { 1.0, 1.0 }, "strictly increasing")]
    [InlineData(new[] { 2.0, 1.0 }, "strictly increasing")]
    [InlineData(new[] { 1.0, double.NaN }, "not finite")]
    [InlineData(new[] { 1.0, double.PositiveInfinity }, "not finite")]
    [InlineData(new[] { double.NegativeInfinity, 1.0 }, "not finite")]
    [InlineData(new[] { -1.0, 1.0 }, "negative")]
    public void Invalid_bucket_bounds_throw(double[] bounds, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricFamily("h", "h", MetricType.Histogram, [], bounds));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Bounds_are_required_for_histograms_and_refused_for_others()
    {
        Assert.Throws<ArgumentNullException>(() => new MetricFamily("h", "h", MetricType.Histogram, []));
        Assert.Throws<ArgumentException>(() => new MetricFamily("g", "h", MetricType.Gauge, [], [1.0]));
        Assert.Empty(new MetricFamily("g", "h", MetricType.Gauge, [], []).BucketBounds);
    }

    [Fact]
    public void Label_value_count_must_match()
    {
        var g = new MetricFamily("g", "h", MetricType.Gauge, ["a", "b"]);
        var e = Assert.Throws<ArgumentException>(() => g.AddGauge(["x"], 1));
        Assert.Contains("expected 2 label values (a, b), got 1", e.Message);
        Assert.Throws<ArgumentException>(() => g.AddGauge(["x", null!], 1));
        Assert.Equal(0, g.Count);
    }

    [Fact]
    public void Histogram_needs_one_count_per_bound_plus_Inf_and_a_valid_sum()
    {
        var h = new MetricFamily("h", "h", MetricType.Histogram, [], [1, 2]);
        var e = Assert.Throws<ArgumentException>(() => h.AddHistogram([], [1, 2], 0));
        Assert.Contains("expected 3 bucket counts", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.AddHistogram([], [1, 2, 3], double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.AddHistogram([], [1, 2, 3], -1));
        h.AddHistogram([], [1, 2, 3], 4);
        Assert.Equal(1, h.Count);
    }

    [Fact]
    public void Counter_values_must_be_non_negative_and_not_NaN()
    {
        var c = new MetricFamily("c", "h", MetricType.Counter, []);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.AddCounter([], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.AddCounter([], double.NaN));
        c.AddCounter([], 0);
    }

    [Fact]
    public void Adding_the_wrong_kind_of_sample_throws()
    {
        var g = new MetricFamily("g", "h", MetricType.Gauge, []);
        Assert.Throws<InvalidOperationException>(() => g.AddCounter([], 1));
        Assert.Throws<InvalidOperationException>(() => g.AddHistogram([], [1], 1));
        var c = new MetricFamily("c", "h", MetricType.Counter, []);
        Assert.Throws<InvalidOperationException>(() => c.AddGauge([], 1));
    }

    [Fact]
    public void Metadata_is_copied_and_read_only()
    {
        string[] labels = ["a"];
        double[] bounds = [1, 2];
        var h = new MetricFamily("h", "help", MetricType.Histogram, labels, bounds);
        labels[0] = "changed";
        bounds[0] = 0.5;
        Assert.Equal(["a"], h.LabelNames);
        Assert.Equal([1.0, 2.0], h.BucketBounds);
        Assert.Equal("help", h.Help);
        Assert.Equal(MetricType.Histogram, h.Type);
    }
}
