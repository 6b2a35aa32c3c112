using System.Buffers;

namespace TcpHealth.Core.Exposition;

/// <summary>
/// Renders one scrape: families in the order given, samples in the order they were added,
/// nothing sorted or merged. UTF-8, "\n" line endings, no timestamps.
/// </summary>
public static class ExpositionWriter
{
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<MetricFamily> families, ExpositionFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(families);
        var openMetrics = format switch
        {
            ExpositionFormat.PrometheusText004 => false,
            ExpositionFormat.OpenMetrics100 => true,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown exposition format."),
        };

        var sink = new Utf8Sink(output);
        for (var i = 0; i < families.Count; i++)
        {
            var family = families[i];
            var parts = family.Encoded;
            sink.Write(openMetrics ? parts.OpenMetricsMetadata : parts.TextMetadata);
            if (family.Type == MetricType.Histogram)
                WriteHistogram(ref sink, family, openMetrics ? parts.OpenMetricsLe : parts.TextLe);
            else
                WriteScalars(ref sink, family);
        }
        if (openMetrics)
            sink.Write("# EOF\n"u8);
        sink.Flush();
    }

    private static void WriteScalars(ref Utf8Sink sink, MetricFamily family)
    {
        var parts = family.Encoded;
        for (var s = 0; s < family.Count; s++)
        {
            sink.Write(parts.SampleName);
            WriteLabels(ref sink, parts, family.LabelValuesAt(s), closeBrace: true);
            sink.WriteByte((byte)' ');
            sink.WriteValue(family.ValueAt(s));
            sink.WriteByte((byte)'\n');
        }
    }

    private static void WriteHistogram(ref Utf8Sink sink, MetricFamily family, byte[][] le)
    {
        var parts = family.Encoded;
        var hasLabels = family.LabelNames.Count > 0;
        for (var s = 0; s < family.Count; s++)
        {
            var labels = family.LabelValuesAt(s);
            var buckets = family.BucketsAt(s);
            // Stored per bucket; exposed cumulative, with the +Inf bucket equal to _count.
            ulong cumulative = 0;
            for (var b = 0; b < buckets.Length; b++)
            {
                cumulative += buckets[b];
                sink.Write(parts.BucketName);
                WriteLabels(ref sink, parts, labels, closeBrace: false);
                sink.WriteByte(hasLabels ? (byte)',' : (byte)'{');
                sink.Write(le[b]);
                sink.WriteUInt64(cumulative);
                sink.WriteByte((byte)'\n');
            }

            sink.Write(parts.SumName);
            WriteLabels(ref sink, parts, labels, closeBrace: true);
            sink.WriteByte((byte)' ');
            sink.WriteValue(family.ValueAt(s));
            sink.WriteByte((byte)'\n');

            sink.Write(parts.CountName);
            WriteLabels(ref sink, parts, labels, closeBrace: true);
            sink.WriteByte((byte)' ');
            sink.WriteUInt64(cumulative);
            sink.WriteByte((byte)'\n');
        }
    }

    /// <summary>{a="x",b="y"} — or nothing at all for a label-less sample.</summary>
    private static void WriteLabels(ref Utf8Sink sink, MetricFamily.EncodedParts parts, ReadOnlySpan<string> values, bool closeBrace)
    {
        for (var i = 0; i < values.Length; i++)
        {
            sink.Write(parts.LabelPrefixes[i]);
            sink.WriteLabelValue(values[i]);
            sink.WriteByte((byte)'"');
        }
        if (closeBrace && values.Length > 0)
            sink.WriteByte((byte)'}');
    }
}
