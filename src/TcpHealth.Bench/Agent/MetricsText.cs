using System.Globalization;

namespace TcpHealth.Bench.Agent;

/// <summary>The samples of one /metrics scrape (text format 0.0.4), looked up by their exact series text.</summary>
public sealed class MetricsText
{
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);

    public MetricsText(string body)
    {
        foreach (var line in body.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // No timestamps in the agent's output: the value is after the last space.
            var space = line.LastIndexOf(' ');
            _samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
    }

    /// <param name="series">Name and labels as written, e.g. <c>tcphealth_datapath_not_tracked_total{what="flows"}</c>.</param>
    public double this[string series] =>
        _samples.TryGetValue(series, out var v) ? v : throw new KeyNotFoundException($"/metrics has no sample {series}");
}
