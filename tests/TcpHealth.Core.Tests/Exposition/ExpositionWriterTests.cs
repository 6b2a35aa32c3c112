using System.Buffers;
using TcpHealth.Core.Exposition;
using static TcpHealth.Core.Tests.Exposition.ExpositionTestData;

namespace TcpHealth.Core.Tests.Exposition;

public class ExpositionWriterTests
{
    private const ExpositionFormat Text = ExpositionFormat.PrometheusText004;
    private const ExpositionFormat Om = ExpositionFormat.OpenMetrics100;

    private static MetricFamily Gauge(string name = "g", params string[] labels) =>
        new(name, "help", MetricType.Gauge, labels);

    [Theory]
    [InlineData(Text)]
    [InlineData(Om)]
    public void Label_values_escape_backslash_quote_and_newline_in_both_formats(ExpositionFormat format)
    {
        var g = Gauge("g", "a");
        g.AddGauge(["back\\slash \"quoted\"\nnext line ünï"], 1);
        Assert.Contains("g{a=\"back\\\\slash \\\"quoted\\\"\\nnext line ünï\"} 1\n", Render(format, g));
    }

    [Fact]
    public void Help_escapes_backslash_and_newline_in_text_and_also_quote_in_OpenMetrics()
    {
        var g = new MetricFamily("g", "a \\ b\nc \"d\"", MetricType.Gauge, []);
        Assert.StartsWith("# HELP g a \\\\ b\\nc \"d\"\n# TYPE g gauge\n", Render(Text, g));
        Assert.StartsWith("# TYPE g gauge\n# HELP g a \\\\ b\\nc \\\"d\\\"\n", Render(Om, g));
    }

    [Fact]
    public void Empty_help_writes_no_HELP_line()
    {
        var g = new MetricFamily("g", "", MetricType.Gauge, []);
        Assert.Equal("# TYPE g gauge\n", Render(Text, g));
        Assert.Equal("# TYPE g gauge\n# EOF\n", Render(Om, g));
    }

    [Fact]
    public void Families_in_given_order_and_samples_in_insertion_order()
    {
        var z = Gauge("z_first", "k");
        z.AddGauge(["b"], 1);
        z.AddGauge(["a"], 2);
        var a = Gauge("a_second", "k");
        a.AddGauge(["z"], 3);
        var lines = Render(Text, z, a).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'));
        Assert.Equal(["z_first{k=\"b\"} 1", "z_first{k=\"a\"} 2", "a_second{k=\"z\"} 3"], lines);
    }

    [Fact]
    public void Labels_in_declared_order_and_no_braces_without_labels()
    {
        var g = Gauge("g", "zeta", "alpha");
        g.AddGauge(["1", "2"], 5);
        var bare = Gauge("bare");
        bare.AddGauge([], 6);
        var text = Render(Text, g, bare);
        Assert.Contains("\ng{zeta=\"1\",alpha=\"2\"} 5\n", text);
        Assert.Contains("\nbare 6\n", text);
    }

    [Fact]
    public void Counter_samples_end_in_total_in_both_formats_and_metadata_follows_each_format()
    {
        var c = new MetricFamily("tcphealth_resets", "Resets.", MetricType.Counter, []);
        c.AddCounter([], 3);
        Assert.Equal("# HELP tcphealth_resets_total Resets.\n# TYPE tcphealth_resets_total counter\ntcphealth_resets_total 3\n", Render(Text, c));
        Assert.Equal("# TYPE tcphealth_resets counter\n# HELP tcphealth_resets Resets.\ntcphealth_resets_total 3\n# EOF\n", Render(Om, c));
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_end_in_Inf_and_are_followed_by_sum_and_count()
    {
        var h = new MetricFamily("h_seconds", "h", MetricType.Histogram, ["p"], [0.1, 1]);
        h.AddHistogram(["x"], [2, 0, 5], 3.5);
        var samples = Render(Text, h).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#'));
        Assert.Equal(
        [
            "h_seconds_bucket{p=\"x\",le=\"0.1\"} 2",
            "h_seconds_bucket{p=\"x\",le=\"1\"} 2",
            "h_seconds_bucket{p=\"x\",le=\"+Inf\"} 7",
            "h_seconds_sum{p=\"x\"} 3.5",
            "h_seconds_count{p=\"x\"} 7",
        ], samples);
    }

    [Fact]
    public void Histogram_without_labels_or_bounds_has_only_the_Inf_bucket()
    {
        var h = new MetricFamily("h", "h", MetricType.Histogram, [], []);
        h.AddHistogram([], [4], 2);
        Assert.EndsWith("\nh_bucket{le=\"+Inf\"} 4\nh_sum 2\nh_count 4\n# EOF\n", Render(Om, h));
    }

    [Fact]
    public void OpenMetrics_ends_with_EOF_and_text_does_not()
    {
        Assert.Equal("# EOF\n", Render(Om));
        Assert.Equal("", Render(Text));
        var g = Gauge();
        g.AddGauge([], 1);
        Assert.EndsWith("\ng 1\n# EOF\n", Render(Om, g));
        Assert.DoesNotContain("EOF", Render(Text, g));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(42.0, "42")]
    [InlineData(-7.0, "-7")]
    [InlineData(1e6, "1000000")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(9007199254740991.0, "9007199254740991")]
    [InlineData(9007199254740992.0, "9007199254740992")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(1e20, "1e+20")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(double.MaxValue, "1.7976931348623157e+308")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Values_are_integers_without_exponent_or_shortest_round_trip(double value, string expected)
    {
        var g = Gauge();
        g.AddGauge([], value);
        Assert.EndsWith($"\ng {expected}\n", Render(Text, g));
        Assert.EndsWith($"\ng {expected}\n# EOF\n", Render(Om, g));
        if (double.IsFinite(value))
            Assert.Equal(value, double.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Negative_zero_is_written_as_zero()
    {
        var g = Gauge();
        g.AddGauge([], -0.0);
        Assert.EndsWith("\ng 0\n", Render(Text, g));
    }

    [Fact]
    public void Bucket_counts_are_written_exactly_beyond_two_to_the_53()
    {
        var h = new MetricFamily("h", "h", MetricType.Histogram, [], [1]);
        h.AddHistogram([], [ulong.MaxValue - 1, 1], 0);
        Assert.Contains("h_count 18446744073709551615\n", Render(Text, h));
    }

    // OpenMetrics 1.0, "Canonical Numbers": Go's %g, with ".0" when there is no point or exponent.
    [Theory]
    [InlineData(0.0, "0", "0.0")]
    [InlineData(0.001, "0.001", "0.001")]
    [InlineData(0.002, "0.002", "0.002")]
    [InlineData(0.01, "0.01", "0.01")]
    [InlineData(0.9, "0.9", "0.9")]
    [InlineData(0.95, "0.95", "0.95")]
    [InlineData(0.99, "0.99", "0.99")]
    [InlineData(0.999, "0.999", "0.999")]
    [InlineData(1.0, "1", "1.0")]
    [InlineData(1.7, "1.7", "1.7")]
    [InlineData(10.0, "10", "10.0")]
    [InlineData(1e-10, "1e-10", "1e-10")]
    [InlineData(1e-9, "1e-09", "1e-09")]
    [InlineData(1e-5, "1e-05", "1e-05")]
    [InlineData(0.0001, "0.0001", "0.0001")]
    [InlineData(0.1, "0.1", "0.1")]
    [InlineData(100000.0, "100000", "100000.0")]
    [InlineData(1e6, "1e+06", "1e+06")]
    [InlineData(1e10, "1e+10", "1e+10")]
    [InlineData(123456789.0, "1.23456789e+08", "1.23456789e+08")]
    [InlineData(1.5e100, "1.5e+100", "1.5e+100")]
    [InlineData(0.00012, "0.00012", "0.00012")]
    public void Le_values_follow_Go_g_in_text_and_canonical_floats_in_OpenMetrics(double bound, string text, string om)
    {
        var h = new MetricFamily("h", "h", MetricType.Histogram, [], [bound]);
        h.AddHistogram([], [0, 0], 0);
        Assert.Contains($"h_bucket{{le=\"{text}\"}} 0\n", Render(Text, h));
        Assert.Contains($"h_bucket{{le=\"{om}\"}} 0\n", Render(Om, h));
    }

    [Fact]
    public void Le_values_from_0_to_10_in_thousandths_are_canonical_in_OpenMetrics()
    {
        var bounds = Enumerable.Range(0, 10_001).Select(k => k / 1000.0).ToArray();
        var h = new MetricFamily("h", "h", MetricType.Histogram, [], bounds);
        h.AddHistogram([], new ulong[bounds.Length + 1], 0);
        var les = Render(Om, h).Split('\n').Where(l => l.StartsWith("h_bucket")).Select(l => l[(l.IndexOf('"') + 1)..l.LastIndexOf('"')]).ToArray();
        var expected = Enumerable.Range(0, 10_001)
            .Select(k => k % 1000 == 0 ? $"{k / 1000}.0" : $"{k / 1000}.{(k % 1000).ToString("D3").TrimEnd('0')}")
            .Append("+Inf");
        Assert.Equal(expected, les);
    }

    [Fact]
    public void Renders_ten_thousand_series_in_both_formats()
    {
        // Sanity only, no timing: the shape a big node produces, through chunk boundaries.
        var families = Enumerable.Range(0, 10).Select(f => new MetricFamily($"tcphealth_family_{f}", "h", MetricType.Counter, ["namespace", "pod"])).ToArray();
        var rtt = new MetricFamily("tcphealth_rtt_seconds", "h", MetricType.Histogram, ["namespace"], RttBounds);
        for (var i = 0; i < 10_000; i++)
            families[i % 10].AddCounter([$"ns-{i % 97}", $"pod-{i}"], i);
        for (var i = 0; i < 1_000; i++)
            rtt.AddHistogram([$"ns-{i}"], [1, 1, 1, 1, 1, 1, 1, 1], 1.5);
        MetricFamily[] all = [.. families, rtt];

        foreach (var format in new[] { Text, Om })
        {
            var buffer = new ArrayBufferWriter<byte>(256);   // small start: the writer must grow it
            ExpositionWriter.Write(buffer, all, format);
            var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(10_000 + 1_000 * (RttBounds.Length + 3), lines.Count(l => !l.StartsWith('#')));
            Assert.Contains("tcphealth_family_9_total{namespace=\"ns-8\",pod=\"pod-9999\"} 9999\n", text);
            Assert.Contains("tcphealth_rtt_seconds_count{namespace=\"ns-999\"} 8\n", text);
        }
    }

    [Fact]
    public void Writing_twice_gives_the_same_bytes()
    {
        var families = GoldenFamilies();
        Assert.Equal(RenderBytes(Om, families), RenderBytes(Om, families));
    }
}
