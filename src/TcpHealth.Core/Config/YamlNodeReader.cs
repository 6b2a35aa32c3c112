using System.Diagnostics.CodeAnalysis;
using YamlDotNet.RepresentationModel;

namespace TcpHealth.Core.Config;

/// <summary>
/// Typed access to a YAML representation tree that turns every mismatch into a
/// <see cref="ConfigException"/> carrying the node's line and its path.
/// </summary>
/// <remarks>
/// The representation model rather than the object deserializer: it keeps
/// each node's position, so errors point at a line; it rejects duplicate keys;
/// and it needs no reflection.
/// </remarks>
internal sealed class YamlNodeReader(string sourceName)
{
    public ConfigException Error(YamlNode node, string path, string detail) =>
        new(sourceName, (int)node.Start.Line, path, detail);

    /// <summary>An absent value: `key:` with nothing after it, `~` or `null`.</summary>
    public static bool IsNull([NotNullWhen(false)] YamlNode? node) =>
        node is null || node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>The mapping at <paramref name="node"/>, or null when the value is absent.</summary>
    public YamlMappingNode? OptionalMapping(YamlNode? node, string path) => IsNull(node)
        ? null
        : node as YamlMappingNode ?? throw Error(node, path, $"expected a mapping (key: value lines), got {Describe(node)}");

    public YamlSequenceNode? OptionalSequence(YamlNode? node, string path) => IsNull(node)
        ? null
        : node as YamlSequenceNode ?? throw Error(node, path, $"expected a list, got {Describe(node)}");

    public YamlMappingNode RequiredMapping(YamlNode node, string path) =>
        OptionalMapping(node, path) ?? throw Error(node, path, "expected a mapping (key: value lines), got an empty entry");

    /// <summary>A non-empty scalar's text.</summary>
    public string Scalar(YamlNode node, string path)
    {
        if (IsNull(node))
            throw Error(node, path, "missing value");
        if (node is not YamlScalarNode { Value: { } value })
            throw Error(node, path, $"expected a single value, got {Describe(node)}");
        if (string.IsNullOrWhiteSpace(value))
            throw Error(node, path, "must not be empty");
        return value;
    }

    /// <summary>
    /// The mapping's values by key, after checking every key is one of
    /// <paramref name="allowed"/>: a misspelt key is an error, not silently ignored.
    /// </summary>
    public Dictionary<string, YamlNode> Entries(YamlMappingNode mapping, string path, params string[] allowed)
    {
        var entries = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || !allowed.Contains(key))
            {
                var shown = keyNode is YamlScalarNode { Value: { } k } ? $"'{k}'" : Describe(keyNode);
                throw Error(keyNode, path, $"unknown key {shown} (expected {string.Join(", ", allowed)})");
            }
            entries[key] = value;
        }
        return entries;
    }

    /// <summary>The value of <paramref name="key"/>; a present key with an empty value is left to the caller's type check.</summary>
    public YamlNode Required(Dictionary<string, YamlNode> entries, YamlMappingNode mapping, string path, string key) =>
        entries.TryGetValue(key, out var node) ? node : throw Error(mapping, path, $"missing required key '{key}'");

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: var v } => $"'{v}'",
        _ => "an unexpected node",
    };
}
