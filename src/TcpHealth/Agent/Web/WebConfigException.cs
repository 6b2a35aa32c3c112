namespace TcpHealth.Agent.Web;

/// <summary>A --web.config.file problem, rendered "file:line: message" like compilers do so editors can jump to it.</summary>
public sealed class WebConfigException : Exception
{
    public string Path { get; }

    /// <summary>1-based line, or 0 when the problem is not tied to a line (unreadable file).</summary>
    public int Line { get; }

    public string Reason { get; }

    public WebConfigException(string path, int line, string reason, Exception? inner = null)
        : base(line > 0 ? $"{path}:{line}: {reason}" : $"{path}: {reason}", inner)
    {
        Path = path;
        Line = line;
        Reason = reason;
    }
}
