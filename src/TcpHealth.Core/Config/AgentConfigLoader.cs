using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TcpHealth.Core.Config;

/// <summary>
/// Reads and validates the agent's YAML config. Every problem is a
/// <see cref="ConfigException"/> naming file, line and path; an empty file or
/// a missing section means the defaults.
/// </summary>
public static class AgentConfigLoader
{
    private static readonly string[] RootKeys = ["zones", "endpoints", "monitored", "metrics"];
    private static readonly string[] ZoneKeys = ["cidr", "zone"];
    private static readonly string[] EndpointKeys = ["name", "namespace", "zone", "cidrs"];
    private static readonly string[] MetricsKeys = ["rtt_buckets", "series_budget", "series_ttl"];

    /// <summary>Reads <paramref name="path"/>; errors name the file as given.</summary>
    public static AgentConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(path, null, null, "file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, $"cannot read: {e.Message}", e);
        }
        return Parse(yaml, path);
    }

    /// <summary>Parses <paramref name="yaml"/>; <paramref name="sourceName"/> prefixes error messages.</summary>
    public static AgentConfig Parse(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(sourceName);
        var root = LoadRoot(yaml, sourceName);
        var reader = new YamlNodeReader(sourceName);
        if (YamlNodeReader.IsNull(root))
            return AgentConfig.Default;

        var mapping = reader.OptionalMapping(root, "")!;
        var entries = reader.Entries(mapping, "", RootKeys);
        return new AgentConfig(
            ReadZones(reader, entries.GetValueOrDefault("zones")),
            ReadEndpoints(reader, entries.GetValueOrDefault("endpoints")),
            ReadMonitored(reader, entries.GetValueOrDefault("monitored")),
            ReadMetrics(reader, entries.GetValueOrDefault("metrics")));
    }

    private static YamlNode? LoadRoot(string yaml, string sourceName)
    {
        var scanner = new Scanner(new StringReader(yaml));
        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw new ConfigException(sourceName, (int)e.Start.Line, null, $"invalid YAML: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet 16 throws this for some malformed flow collections; the scanner still knows where it was.
            throw new ConfigException(sourceName, (int)scanner.CurrentPosition.Line, null, "invalid YAML syntax", e);
        }
        return stream.Documents.Count switch
        {
            0 => null,
            1 => stream.Documents[0].RootNode,
            _ => throw new ConfigException(sourceName, (int)stream.Documents[1].RootNode.Start.Line, null,
                "expected a single YAML document, found another one here"),
        };
    }

    private static List<ZoneMapping> ReadZones(YamlNodeReader reader, YamlNode? node)
    {
        var zones = new List<ZoneMapping>();
        if (reader.OptionalSequence(node, "zones") is not { } sequence)
            return zones;
        var seen = new SeenPrefixes(reader, "is already mapped");
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"zones[{i}]";
            var entry = reader.RequiredMapping(sequence.Children[i], path);
            var fields = reader.Entries(entry, path, ZoneKeys);
            var cidr = ReadPrefix(reader, reader.Required(fields, entry, path, "cidr"), $"{path}.cidr", seen);
            var zone = reader.Scalar(reader.Required(fields, entry, path, "zone"), $"{path}.zone");
            zones.Add(new ZoneMapping(cidr, zone));
        }
        return zones;
    }

    private static List<EndpointConfig> ReadEndpoints(YamlNodeReader reader, YamlNode? node)
    {
        var endpoints = new List<EndpointConfig>();
        if (reader.OptionalSequence(node, "endpoints") is not { } sequence)
            return endpoints;
        // One table over all endpoints: the same CIDR under two names would make the match ambiguous.
        var seen = new SeenPrefixes(reader, "is already listed");
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            var path = $"endpoints[{i}]";
            var entry = reader.RequiredMapping(sequence.Children[i], path);
            var fields = reader.Entries(entry, path, EndpointKeys);
            var name = reader.Scalar(reader.Required(fields, entry, path, "name"), $"{path}.name");
            var ns = fields.TryGetValue("namespace", out var nsNode) && !YamlNodeReader.IsNull(nsNode)
                ? reader.Scalar(nsNode, $"{path}.namespace")
                : "unknown";
            var zone = fields.TryGetValue("zone", out var zoneNode) && !YamlNodeReader.IsNull(zoneNode)
                ? reader.Scalar(zoneNode, $"{path}.zone")
                : null;

            var cidrsNode = reader.Required(fields, entry, path, "cidrs");
            var cidrsPath = $"{path}.cidrs";
            var list = reader.OptionalSequence(cidrsNode, cidrsPath);
            if (list is null || list.Children.Count == 0)
                throw reader.Error(cidrsNode, cidrsPath, "must list at least one CIDR");
            var cidrs = new IpPrefix[list.Children.Count];
            for (int j = 0; j < cidrs.Length; j++)
                cidrs[j] = ReadPrefix(reader, list.Children[j], $"{cidrsPath}[{j}]", seen);
            endpoints.Add(new EndpointConfig(name, ns, zone, Array.AsReadOnly(cidrs)));
        }
        return endpoints;
    }

    private static List<IpPrefix> ReadMonitored(YamlNodeReader reader, YamlNode? node)
    {
        var monitored = new List<IpPrefix>();
        if (reader.OptionalSequence(node, "monitored") is not { } sequence)
            return monitored;
        var seen = new SeenPrefixes(reader, "is already listed");
        for (int i = 0; i < sequence.Children.Count; i++)
            monitored.Add(ReadPrefix(reader, sequence.Children[i], $"monitored[{i}]", seen));
        return monitored;
    }

    private static MetricsConfig ReadMetrics(YamlNodeReader reader, YamlNode? node)
    {
        if (reader.OptionalMapping(node, "metrics") is not { } mapping)
            return MetricsConfig.Default;
        var fields = reader.Entries(mapping, "metrics", MetricsKeys);
        var defaults = MetricsConfig.Default;
        return new MetricsConfig(
            fields.TryGetValue("rtt_buckets", out var buckets) && !YamlNodeReader.IsNull(buckets)
                ? ReadBuckets(reader, buckets, "metrics.rtt_buckets")
                : defaults.RttBuckets,
            fields.TryGetValue("series_budget", out var budget) && !YamlNodeReader.IsNull(budget)
                ? ReadPositiveInt(reader, budget, "metrics.series_budget")
                : defaults.SeriesBudget,
            fields.TryGetValue("series_ttl", out var ttl) && !YamlNodeReader.IsNull(ttl)
                ? ReadPositiveDuration(reader, ttl, "metrics.series_ttl")
                : defaults.SeriesTtl);
    }

    private static IReadOnlyList<double> ReadBuckets(YamlNodeReader reader, YamlNode node, string path)
    {
        var sequence = reader.OptionalSequence(node, path)!;
        if (sequence.Children.Count == 0)
            throw reader.Error(node, path, "must list at least one bucket bound (or leave it out for the defaults)");
        var bounds = new double[sequence.Children.Count];
        for (int i = 0; i < bounds.Length; i++)
        {
            var itemPath = $"{path}[{i}]";
            var item = sequence.Children[i];
            var text = reader.Scalar(item, itemPath);
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) || !double.IsFinite(bound))
                throw reader.Error(item, itemPath, $"expected a number of seconds, got '{text}'");
            if (bound <= 0)
                throw reader.Error(item, itemPath, $"bucket bounds must be positive, got {text}");
            if (i > 0 && bound <= bounds[i - 1])
                throw reader.Error(item, itemPath,
                    $"{text} is not greater than the bound before it ({bounds[i - 1].ToString(CultureInfo.InvariantCulture)}); bounds must be strictly increasing");
            bounds[i] = bound;
        }
        return Array.AsReadOnly(bounds);
    }

    private static int ReadPositiveInt(YamlNodeReader reader, YamlNode node, string path)
    {
        var text = reader.Scalar(node, path);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw reader.Error(node, path, $"expected a whole number, got '{text}'");
        if (value <= 0)
            throw reader.Error(node, path, $"must be positive, got {value}");
        if (value > int.MaxValue)
            throw reader.Error(node, path, $"must be at most {int.MaxValue}, got {value}");
        return (int)value;
    }

    private static TimeSpan ReadPositiveDuration(YamlNodeReader reader, YamlNode node, string path)
    {
        var text = reader.Scalar(node, path);
        if (!Durations.TryParse(text, out var value, out var error))
            throw reader.Error(node, path, error!);
        if (value <= TimeSpan.Zero)
            throw reader.Error(node, path, $"must be positive, got '{text}'");
        return value;
    }

    private static IpPrefix ReadPrefix(YamlNodeReader reader, YamlNode node, string path, SeenPrefixes seen)
    {
        var text = reader.Scalar(node, path);
        if (!IpPrefix.TryParse(text, out var prefix, out var error))
            throw reader.Error(node, path, error!);
        seen.Add(prefix, node, path);
        return prefix;
    }

    /// <summary>
    /// Catches a prefix listed twice (after normalization: "10.0.0.1" and
    /// "10.0.0.1/32" are the same) and names both places.
    /// </summary>
    private sealed class SeenPrefixes(YamlNodeReader reader, string verb)
    {
        private readonly Dictionary<IpPrefix, (long Line, string Path)> _first = [];

        public void Add(IpPrefix prefix, YamlNode node, string path)
        {
            if (_first.TryGetValue(prefix, out var first))
                throw reader.Error(node, path, $"{prefix} {verb} at line {first.Line} ({first.Path})");
            _first.Add(prefix, (node.Start.Line, path));
        }
    }
}
