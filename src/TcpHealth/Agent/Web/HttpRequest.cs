using System.Text;

namespace TcpHealth.Agent.Web;

/// <summary>One parsed HTTP/1.x request head: what the agent's few GET endpoints need of it.</summary>
/// <param name="Path">The target's path, without the query.</param>
/// <param name="KeepAlive">HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".</param>
/// <param name="ContentLength">Body bytes that follow the head (they are read and dropped: no endpoint takes a body).</param>
internal sealed record HttpRequest(string Method, string Path, bool KeepAlive, long ContentLength, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>A header's value (repeated ones joined by ", "), or null when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>Why a request head was refused: the status to answer with before closing the connection.</summary>
internal sealed class BadRequestException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Parses a request head (request line and header fields, up to the empty line) per RFC 9112,
/// strictly: anything a careful server could misread (obsolete line folding, whitespace before a
/// colon, a body framed by Transfer-Encoding, conflicting lengths) is refused rather than guessed at.
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>The whole head may be at most this long (431 beyond): scrapers send a few hundred bytes.</summary>
    public const int MaxHeadBytes = 16 * 1024;
    public const int MaxHeaders = 100;

    /// <summary>The end of the head in <paramref name="data"/> (the index after its empty line), or -1 when incomplete.</summary>
    public static int HeadLength(ReadOnlySpan<byte> data)
    {
        int i = data.IndexOf("\r\n\r\n"u8);
        return i < 0 ? -1 : i + 4;
    }

    /// <summary>Parses a complete head (as delimited by <see cref="HeadLength"/>), or throws <see cref="BadRequestException"/>.</summary>
    public static HttpRequest Parse(ReadOnlySpan<byte> head)
    {
        // Header fields are ASCII in practice; Latin-1 maps every byte to one char, so nothing fails to decode.
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var (method, target, version) = RequestLine(lines[0]);

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int count = 0;
        for (int i = 1; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (++count > MaxHeaders)
                throw new BadRequestException(431, "too many header fields");
            var line = lines[i];
            if (line[0] is ' ' or '\t')
                throw new BadRequestException(400, "obsolete header line folding");
            int colon = line.IndexOf(':');
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)))
                throw new BadRequestException(400, "malformed header field");
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t');
            if (value.AsSpan().ContainsAny('\r', '\n', '\0'))
                throw new BadRequestException(400, "control character in a header value");
            headers[name] = headers.TryGetValue(name, out var before) ? before + ", " + value : value;
        }

        if (headers.ContainsKey("Transfer-Encoding"))
            throw new BadRequestException(400, "request bodies are not accepted");
        long length = 0;
        if (headers.TryGetValue("Content-Length", out var cl) && !long.TryParse(cl, System.Globalization.NumberStyles.None, null, out length))
            throw new BadRequestException(400, "malformed Content-Length");
        if (version == "HTTP/1.1" && !headers.ContainsKey("Host"))
            throw new BadRequestException(400, "missing Host header");

        var connection = headers.TryGetValue("Connection", out var c) ? c : "";
        bool keepAlive = version == "HTTP/1.1"
            ? !HasToken(connection, "close")
            : HasToken(connection, "keep-alive");
        return new HttpRequest(method, PathOf(target), keepAlive, length, headers);
    }

    private static (string Method, string Target, string Version) RequestLine(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !IsToken(parts[0]) || parts[1].Length == 0)
            throw new BadRequestException(400, "malformed request line");
        if (parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
            throw new BadRequestException(parts[2].StartsWith("HTTP/", StringComparison.Ordinal) ? 505 : 400, $"unsupported protocol {parts[2]}");
        return (parts[0], parts[1], parts[2]);
    }

    // Origin form ("/metrics?x") or absolute form ("http://host:9100/metrics"), as proxies send it.
    private static string PathOf(string target)
    {
        if (target[0] != '/')
        {
            if (!Uri.TryCreate(target, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new BadRequestException(400, "malformed request target");
            return uri.AbsolutePath;
        }
        int q = target.IndexOf('?');
        return q < 0 ? target : target[..q];
    }

    private static bool HasToken(string list, string token)
    {
        foreach (var part in list.Split(','))
            if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }

    // RFC 9110 token: visible ASCII except separators.
    private static bool IsToken(ReadOnlySpan<char> s)
    {
        foreach (var ch in s)
            if (ch <= ' ' || ch >= 127 || "\"(),/:;<=>?@[\\]{}".Contains(ch))
                return false;
        return true;
    }
}
