namespace TcpHealth.Core.Exposition;

/// <summary>
/// Name rules shared by the Prometheus text format and OpenMetrics 1.0 (the stricter of the two
/// where they differ), checked once when a family is built so the writer never has to.
/// </summary>
internal static class MetricNames
{
    /// <summary>[a-zA-Z_:][a-zA-Z0-9_:]*</summary>
    public static void ValidateMetricName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValid(name, allowColon: true))
            throw new ArgumentException($"Invalid metric name '{name}': must match [a-zA-Z_:][a-zA-Z0-9_:]*.", nameof(name));
    }

    /// <summary>[a-zA-Z_][a-zA-Z0-9_]*, and not __-prefixed (reserved for Prometheus itself).</summary>
    public static void ValidateLabelName(string metricName, string label)
    {
        if (label is null)
            throw new ArgumentException($"Metric '{metricName}': a label name is null.", "labelNames");
        if (!IsValid(label, allowColon: false))
            throw new ArgumentException($"Metric '{metricName}': invalid label name '{label}': must match [a-zA-Z_][a-zA-Z0-9_]*.", "labelNames");
        if (label.StartsWith("__", StringComparison.Ordinal))
            throw new ArgumentException($"Metric '{metricName}': label name '{label}' starts with '__', which is reserved for Prometheus.", "labelNames");
    }

    private static bool IsValid(string s, bool allowColon)
    {
        if (s.Length == 0)
            return false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
                return false;
        }
        return true;
    }
}
