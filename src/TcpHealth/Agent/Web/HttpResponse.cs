using System.Globalization;
using System.Text;

namespace TcpHealth.Agent.Web;

/// <summary>
/// A whole response, body included (every body here is complete before it is sent, so it always
/// goes with a Content-Length). <see cref="Owner"/>, when set, holds the body's buffer and is
/// disposed once the response was written.
/// </summary>
internal sealed record HttpResponse(int Status, string? ContentType, ReadOnlyMemory<byte> Body)
{
    private const string TextPlain = "text/plain; charset=utf-8";

    /// <summary>More header fields, e.g. ("Cache-Control", "no-store").</summary>
    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    public IDisposable? Owner { get; init; }

    public static HttpResponse Text(int status, string text, params (string Name, string Value)[] headers) =>
        new(status, TextPlain, Encoding.UTF8.GetBytes(text)) { Headers = headers };

    /// <summary>The status line and header fields, ending with the empty line.</summary>
    public byte[] Head(bool close)
    {
        var sb = new StringBuilder(256);
        sb.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {Reason(Status)}\r\n");
        sb.Append("Date: ").Append(DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
        if (ContentType is not null)
            sb.Append("Content-Type: ").Append(ContentType).Append("\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"Content-Length: {Body.Length}\r\n");
        foreach (var (name, value) in Headers)
            sb.Append(name).Append(": ").Append(value).Append("\r\n");
        if (close)
            sb.Append("Connection: close\r\n");
        sb.Append("\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    };
}
