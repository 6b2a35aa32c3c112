using System.Runtime.InteropServices;
using System.Text;

namespace TcpHealth.Core.Exposition;

/// <summary>
/// One metric family for one scrape: metadata fixed at construction, samples appended in the
/// order they should appear. Filled by one thread, then handed to <see cref="ExpositionWriter"/>,
/// which only reads it. Everything the writer needs that does not depend on sample values
/// (names with suffixes, label prefixes, HELP/TYPE lines, "le" values) is encoded to UTF-8 here,
/// once per family rather than once per sample.
/// </summary>
public sealed class MetricFamily
{
    private static readonly double[] NoBounds = [];

    // Flat storage: sample i's label values are _labelValues[i*L .. i*L+L), its histogram
    // buckets _buckets[i*B .. i*B+B) with B = bounds + 1. No per-sample arrays.
    private readonly List<string> _labelValues = [];
    private readonly List<double> _values = [];   // counter/gauge value, or histogram sum
    private readonly List<ulong> _buckets = [];
    private readonly string[] _labelNames;
    private readonly double[] _bounds;

    /// <param name="name">
    /// The family name. For a counter, the base name without "_total" (OpenMetrics' family
    /// name); the writer appends "_total" to its samples in both formats.
    /// </param>
    /// <param name="help">Free text; escaped by the writer. Empty means no HELP line.</param>
    /// <param name="type">Counter, gauge or histogram.</param>
    /// <param name="labelNames">Label names, in the order label values are given to Add*.</param>
    /// <param name="bucketBounds">Histograms only: finite, non-negative, strictly increasing upper
    /// bounds; the +Inf bucket is implicit.</param>
    public MetricFamily(string name, string help, MetricType type, IReadOnlyList<string> labelNames, IReadOnlyList<double>? bucketBounds = null)
    {
        MetricNames.ValidateMetricName(name);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (!Enum.IsDefined(type))
            throw new ArgumentException($"Metric '{name}': unknown metric type {type}.", nameof(type));
        if (type == MetricType.Counter && name.EndsWith("_total", StringComparison.Ordinal))
            throw new ArgumentException($"Counter '{name}': give the base name without '_total'; the writer appends it.", nameof(name));

        _labelNames = [.. labelNames];
        for (var i = 0; i < _labelNames.Length; i++)
        {
            MetricNames.ValidateLabelName(name, _labelNames[i]);
            if (type == MetricType.Histogram && _labelNames[i] == "le")
                throw new ArgumentException($"Histogram '{name}': label name 'le' is reserved for bucket bounds.", nameof(labelNames));
            if (Array.IndexOf(_labelNames, _labelNames[i], 0, i) >= 0)
                throw new ArgumentException($"Metric '{name}': label name '{_labelNames[i]}' appears twice.", nameof(labelNames));
        }

        if (type == MetricType.Histogram)
        {
            ArgumentNullException.ThrowIfNull(bucketBounds);
            _bounds = [.. bucketBounds];
            ValidateBounds(name, _bounds);
        }
        else
        {
            if (bucketBounds is { Count: > 0 })
                throw new ArgumentException($"Metric '{name}': bucket bounds are only for histograms, not {type}.", nameof(bucketBounds));
            _bounds = NoBounds;
        }

        Name = name;
        Help = help ?? "";
        Type = type;
        LabelNames = Array.AsReadOnly(_labelNames);
        BucketBounds = Array.AsReadOnly(_bounds);
        Encoded = new EncodedParts(this);
    }

    public string Name { get; }
    public string Help { get; }
    public MetricType Type { get; }
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Finite upper bounds, ascending; empty unless a histogram. +Inf is implicit.</summary>
    public IReadOnlyList<double> BucketBounds { get; }

    /// <summary>Samples (series) added so far.</summary>
    public int Count => _values.Count;

    /// <summary>Adds a counter sample. Counters never go down and are never NaN.</summary>
    public void AddCounter(ReadOnlySpan<string> labelValues, double value)
    {
        RequireType(MetricType.Counter);
        if (double.IsNaN(value) || value < 0)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Counter '{Name}': a counter value must be non-negative and not NaN.");
        AddLabels(labelValues);
        _values.Add(value);
    }

    /// <summary>Adds a gauge sample; any double, including NaN and infinities.</summary>
    public void AddGauge(ReadOnlySpan<string> labelValues, double value)
    {
        RequireType(MetricType.Gauge);
        AddLabels(labelValues);
        _values.Add(value);
    }

    /// <summary>Adds a histogram sample.</summary>
    /// <param name="bucketCounts">
    /// Per-bucket counts, NOT cumulative: one per bound, then one for observations above the
    /// last bound. The writer accumulates them and derives _count from the total.
    /// </param>
    /// <param name="sum">Sum of all observations; non-negative since the bounds are.</param>
    public void AddHistogram(ReadOnlySpan<string> labelValues, ReadOnlySpan<ulong> bucketCounts, double sum)
    {
        RequireType(MetricType.Histogram);
        if (bucketCounts.Length != _bounds.Length + 1)
            throw new ArgumentException(
                $"Histogram '{Name}': expected {_bounds.Length + 1} bucket counts ({_bounds.Length} bounds + the +Inf bucket), got {bucketCounts.Length}.",
                nameof(bucketCounts));
        // OpenMetrics: _sum is a counter, so never NaN or negative.
        if (double.IsNaN(sum) || sum < 0)
            throw new ArgumentOutOfRangeException(nameof(sum), sum, $"Histogram '{Name}': the sum must be non-negative and not NaN.");
        AddLabels(labelValues);
        _buckets.AddRange(bucketCounts);
        _values.Add(sum);
    }

    internal ReadOnlySpan<string> LabelValuesAt(int sample) =>
        CollectionsMarshal.AsSpan(_labelValues).Slice(sample * _labelNames.Length, _labelNames.Length);

    internal double ValueAt(int sample) => _values[sample];

    internal ReadOnlySpan<ulong> BucketsAt(int sample) =>
        CollectionsMarshal.AsSpan(_buckets).Slice(sample * (_bounds.Length + 1), _bounds.Length + 1);

    internal EncodedParts Encoded { get; }

    private void RequireType(MetricType wanted)
    {
        if (Type != wanted)
            throw new InvalidOperationException($"Metric '{Name}' is a {Type}; cannot add a {wanted} sample.");
    }

    private void AddLabels(ReadOnlySpan<string> labelValues)
    {
        if (labelValues.Length != _labelNames.Length)
            throw new ArgumentException(
                $"Metric '{Name}': expected {_labelNames.Length} label values ({string.Join(", ", _labelNames)}), got {labelValues.Length}.",
                nameof(labelValues));
        foreach (var v in labelValues)
        {
            if (v is null)
                throw new ArgumentException($"Metric '{Name}': a label value is null.", nameof(labelValues));
        }
        _labelValues.AddRange(labelValues);
    }

    private static void ValidateBounds(string name, double[] bounds)
    {
        for (var i = 0; i < bounds.Length; i++)
        {
            var b = bounds[i];
            if (!double.IsFinite(b))
                throw new ArgumentException($"Histogram '{name}': bucket bound {b} is not finite; +Inf is implicit.", "bucketBounds");
            // OpenMetrics forbids _sum with negative thresholds, and we always write _sum.
            if (b < 0)
                throw new ArgumentException($"Histogram '{name}': bucket bound {b} is negative.", "bucketBounds");
            if (i > 0 && b <= bounds[i - 1])
                throw new ArgumentException($"Histogram '{name}': bucket bounds must be strictly increasing ({bounds[i - 1]} then {b}).", "bucketBounds");
        }
    }

    /// <summary>The family's fixed UTF-8 pieces, in the shape the writer emits them.</summary>
    internal sealed class EncodedParts
    {
        public EncodedParts(MetricFamily f)
        {
            var typeWord = f.Type switch
            {
                MetricType.Counter => "counter",
                MetricType.Gauge => "gauge",
                _ => "histogram",
            };
            // Text 0.0.4 has no family/sample name distinction: HELP and TYPE name the counter's
            // samples (x_total). OpenMetrics names the family (x) and suffixes only the samples.
            var textName = f.Type == MetricType.Counter ? f.Name + "_total" : f.Name;
            var textHelp = f.Help.Length == 0 ? "" : $"# HELP {textName} {EscapeHelp(f.Help, quote: false)}\n";
            var omHelp = f.Help.Length == 0 ? "" : $"# HELP {f.Name} {EscapeHelp(f.Help, quote: true)}\n";
            // Order as each format's convention: HELP then TYPE (client_golang), TYPE then HELP
            // (OpenMetrics: "SHOULD be TYPE, UNIT, HELP").
            TextMetadata = Encoding.UTF8.GetBytes($"{textHelp}# TYPE {textName} {typeWord}\n");
            OpenMetricsMetadata = Encoding.UTF8.GetBytes($"# TYPE {f.Name} {typeWord}\n{omHelp}");

            SampleName = Encoding.UTF8.GetBytes(f.Type == MetricType.Counter ? f.Name + "_total" : f.Name);
            BucketName = Encoding.UTF8.GetBytes(f.Name + "_bucket");
            SumName = Encoding.UTF8.GetBytes(f.Name + "_sum");
            CountName = Encoding.UTF8.GetBytes(f.Name + "_count");

            LabelPrefixes = new byte[f._labelNames.Length][];
            for (var i = 0; i < LabelPrefixes.Length; i++)
                LabelPrefixes[i] = Encoding.UTF8.GetBytes($"{(i == 0 ? '{' : ',')}{f._labelNames[i]}=\"");

            // le="..."} followed by the space before the value; the caller writes '{' or ','.
            TextLe = new byte[f._bounds.Length + 1][];
            OpenMetricsLe = new byte[f._bounds.Length + 1][];
            for (var i = 0; i <= f._bounds.Length; i++)
            {
                var bound = i < f._bounds.Length ? f._bounds[i] : double.PositiveInfinity;
                TextLe[i] = Encoding.UTF8.GetBytes($"le=\"{NumberFormat.FormatLe(bound, openMetrics: false)}\"}} ");
                OpenMetricsLe[i] = Encoding.UTF8.GetBytes($"le=\"{NumberFormat.FormatLe(bound, openMetrics: true)}\"}} ");
            }
        }

        public byte[] TextMetadata { get; }
        public byte[] OpenMetricsMetadata { get; }
        public byte[] SampleName { get; }
        public byte[] BucketName { get; }
        public byte[] SumName { get; }
        public byte[] CountName { get; }
        public byte[][] LabelPrefixes { get; }
        public byte[][] TextLe { get; }
        public byte[][] OpenMetricsLe { get; }

        // Text 0.0.4's HELP knows only \\ and \n (Go's parser rejects \"); OpenMetrics' HELP is
        // an escaped-string, where a bare double quote is not allowed.
        private static string EscapeHelp(string help, bool quote)
        {
            var s = help.Replace("\\", "\\\\").Replace("\n", "\\n");
            return quote ? s.Replace("\"", "\\\"") : s;
        }
    }
}
