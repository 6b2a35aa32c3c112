using System.Globalization;

namespace TcpHealth.Core.Exposition;

/// <summary>Content negotiation between the two text formats, and their content types.</summary>
public static class ExpositionFormats
{
    public const string PrometheusText004ContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetrics100ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    public static string ContentType(ExpositionFormat format) => format switch
    {
        ExpositionFormat.PrometheusText004 => PrometheusText004ContentType,
        ExpositionFormat.OpenMetrics100 => OpenMetrics100ContentType,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown exposition format."),
    };

    /// <summary>
    /// OpenMetrics 1.0.0 only when the Accept header names application/openmetrics-text
    /// (version=1.0.0 or no version) with q &gt; 0 and text/plain is not ranked above it;
    /// otherwise text 0.0.4, which is also the answer for no header, "*/*", or garbage.
    /// Wildcards never select OpenMetrics (a curl user gets the classic format) but do give
    /// text/plain its q. For each type the most specific matching range decides, as in
    /// RFC 9110 12.5.1; a tie goes to OpenMetrics.
    /// </summary>
    public static ExpositionFormat Negotiate(string? acceptHeader)
    {
        if (string.IsNullOrWhiteSpace(acceptHeader))
            return ExpositionFormat.PrometheusText004;

        double omQ = 0, textQ = 0;
        int omRank = -1, textRank = -1;
        foreach (var range in acceptHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParseRange(range, out var type, out var subtype, out var version, out var q))
                continue;

            if (type == "application" && subtype == "openmetrics-text")
            {
                // 0.0.1 and other versions are a different format; we serve only 1.0.0.
                var rank = version is null ? 1 : version == "1.0.0" ? 2 : -1;
                Rank(rank, q, ref omRank, ref omQ);
            }
            else
            {
                var rank = (type, subtype) switch
                {
                    ("*", "*") => 0,
                    ("text", "*") => 1,
                    ("text", "plain") => version is null ? 2 : version == "0.0.4" ? 3 : -1,
                    _ => -1,
                };
                Rank(rank, q, ref textRank, ref textQ);
            }
        }

        return omRank >= 0 && omQ > 0 && omQ >= textQ
            ? ExpositionFormat.OpenMetrics100
            : ExpositionFormat.PrometheusText004;
    }

    private static void Rank(int rank, double q, ref int bestRank, ref double bestQ)
    {
        if (rank < 0 || rank < bestRank)
            return;
        bestQ = rank > bestRank ? q : Math.Max(bestQ, q);
        bestRank = rank;
    }

    /// <summary>type/subtype;param=value;q=0.5 — lower-cased, quotes removed. False if malformed.</summary>
    private static bool TryParseRange(string range, out string type, out string subtype, out string? version, out double q)
    {
        type = subtype = "";
        version = null;
        q = 1;
        var parts = range.Split(';', StringSplitOptions.TrimEntries);
        var slash = parts[0].IndexOf('/');
        if (slash <= 0 || slash == parts[0].Length - 1)
            return false;
        type = parts[0][..slash].Trim().ToLowerInvariant();
        subtype = parts[0][(slash + 1)..].Trim().ToLowerInvariant();

        for (var i = 1; i < parts.Length; i++)
        {
            var eq = parts[i].IndexOf('=');
            if (eq <= 0)
                continue;
            var key = parts[i][..eq].Trim();
            var value = parts[i][(eq + 1)..].Trim().Trim('"');
            if (key.Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out q) || q > 1)
                    return false;
            }
            else if (key.Equals("version", StringComparison.OrdinalIgnoreCase))
            {
                version = value;
            }
        }
        return true;
    }
}
