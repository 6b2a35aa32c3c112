using System.Buffers;
using System.Text;
using TcpHealth.Core.Exposition;

namespace TcpHealth.Core.Tests.Exposition;

/// <summary>The families behind Golden/*.txt, and a helper to render to a string.</summary>
internal static class ExpositionTestData
{
    public static readonly double[] RttBounds = [0.00005, 0.0005, 0.005, 0.05, 0.5, 1, 2.5];

    public static MetricFamily[] GoldenFamilies()
    {
        var bytes = new MetricFamily("tcphealth_sent_bytes", "Payload bytes sent \"as seen\" at C:\\hook\nsecond line",
            MetricType.Counter, ["namespace", "zone"]);
        bytes.AddCounter(["default", "eu-west-1a"], 1_000_000);
        bytes.AddCounter(["we\"ird\nns\\x", ""], 12_345_678_901);

        var fill = new MetricFamily("tcphealth_map_fill_ratio", "Fraction of a BPF map in use.", MetricType.Gauge, ["map"]);
        fill.AddGauge(["flows"], 0.125);
        fill.AddGauge(["timestamps"], 1.5e-7);

        var rtt = new MetricFamily("tcphealth_rtt_seconds", "Round-trip time per packet.", MetricType.Histogram, ["namespace"], RttBounds);
        rtt.AddHistogram(["default"], [1, 2, 3, 0, 4, 0, 0, 1], 7.25);
        rtt.AddHistogram(["kube-system"], [0, 0, 0, 0, 0, 0, 0, 0], 0);

        return [bytes, fill, rtt];
    }

    public static byte[] RenderBytes(ExpositionFormat format, params MetricFamily[] families)
    {
        var buffer = new ArrayBufferWriter<byte>();
        ExpositionWriter.Write(buffer, families, format);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Render(ExpositionFormat format, params MetricFamily[] families) =>
        Encoding.UTF8.GetString(RenderBytes(format, families));

    public static string GoldenPath(string file) => Path.Combine(AppContext.BaseDirectory, "Exposition", "Golden", file);
}
