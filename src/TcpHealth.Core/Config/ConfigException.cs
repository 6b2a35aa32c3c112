namespace TcpHealth.Core.Config;

/// <summary>
/// A config file that cannot be used, with the place to fix it: the message
/// reads "agent.yaml:7: zones[1].cidr: '10.1.0.0/33': prefix length must be
/// 0-32 for IPv4", like a compiler error, so editors and humans can jump to it.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string sourceName, int? line, string? path, string detail, Exception? inner = null)
        : base(Format(sourceName, line, path, detail), inner)
    {
        SourceName = sourceName;
        Line = line;
        Path = path;
        Detail = detail;
    }

    /// <summary>The file name as given (or whatever name the caller passed for in-memory YAML).</summary>
    public string SourceName { get; }

    /// <summary>1-based line, when the problem has one.</summary>
    public int? Line { get; }

    /// <summary>Where in the document, e.g. "zones[1].cidr"; null for whole-file problems.</summary>
    public string? Path { get; }

    /// <summary>The problem alone, without the location.</summary>
    public string Detail { get; }

    private static string Format(string sourceName, int? line, string? path, string detail)
    {
        var location = line is { } l ? $"{sourceName}:{l}" : sourceName;
        return string.IsNullOrEmpty(path) ? $"{location}: {detail}" : $"{location}: {path}: {detail}";
    }
}
