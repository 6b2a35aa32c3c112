using System.Globalization;
using System.Net;

namespace TcpHealth.Agent.Web;

/// <summary>
/// One --web.listen-address value, in the Go "host:port" form node_exporter uses:
/// "HOST:PORT", ":PORT" (every interface, IPv6 and IPv4), "[::1]:PORT", "0.0.0.0:PORT".
/// </summary>
/// <remarks>
/// Differences from Go's net.Listen, chosen to match what a reader of the flag expects:
/// "0.0.0.0" binds IPv4 only and "[::]" binds IPv6 (dual-stack where the kernel allows);
/// only ":PORT" means "everything". Service names (":http") are not accepted.
/// </remarks>
public sealed record ListenAddress
{
    /// <summary>Host as written (without brackets); empty for ":PORT".</summary>
    public string Host { get; }

    /// <summary>TCP port; 0 asks the kernel for a free one (tests).</summary>
    public int Port { get; }

    /// <summary>The literal IP when <see cref="Host"/> is one; null for hostnames and ":PORT".</summary>
    public IPAddress? Address { get; }

    /// <summary>True for ":PORT": listen on every interface.</summary>
    public bool IsAnyHost => Host.Length == 0;

    /// <summary>True for "localhost:PORT": both 127.0.0.1 and [::1] are bound.</summary>
    public bool IsLocalhost => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    private ListenAddress(string host, int port, IPAddress? address)
    {
        Host = host;
        Port = port;
        Address = address;
    }

    public static ListenAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.Length == 0)
            throw Error(text, "it is empty; expected HOST:PORT, :PORT or [IPv6]:PORT");

        string host;
        string portText;
        if (s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close < 0)
                throw Error(text, "missing ']' after the IPv6 address");
            host = s[1..close];
            var rest = s[(close + 1)..];
            if (rest.Length == 0 || rest[0] != ':')
                throw Error(text, "missing ':PORT' after ']'");
            portText = rest[1..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                throw Error(text, $"'{host}' inside brackets is not an IPv6 address");
            // Zone ids ("fe80::1%eth0") parse fine and bind; nothing extra to do.
            return new ListenAddress(host, ParsePort(text, portText), v6);
        }

        var colon = s.LastIndexOf(':');
        if (colon < 0)
            throw Error(text, "missing ':PORT' (use ':9977' to listen on every interface)");
        if (s.IndexOf(':') != colon)
            throw Error(text, "IPv6 addresses must be written in brackets, e.g. '[::1]:9977'");
        host = s[..colon];
        portText = s[(colon + 1)..];
        var port = ParsePort(text, portText);

        if (host.Length == 0)
            return new ListenAddress("", port, null);
        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            // IPAddress.TryParse accepts odd IPv4 spellings ("1", "127.1"); insist on dotted quads.
            if (host.Count(c => c == '.') != 3 || !IPAddress.TryParse(host, out var ip))
                throw Error(text, $"'{host}' is not a dotted IPv4 address");
            return new ListenAddress(host, port, ip);
        }
        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
            throw Error(text, $"'{host}' is not a valid hostname or IP address");
        return new ListenAddress(host, port, null);
    }

    private static int ParsePort(string text, string portText)
    {
        if (portText.Length == 0)
            throw Error(text, "the port is empty");
        if (!portText.All(char.IsAsciiDigit)
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > 65535)
            throw Error(text, $"port '{portText}' is not a number between 0 and 65535");
        return port;
    }

    private static FormatException Error(string text, string why) =>
        new($"invalid listen address '{text}': {why}");

    /// <summary>Canonical "host:port" form (IPv6 in brackets), as the flag would be written.</summary>
    public override string ToString() =>
        Address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 }
            ? $"[{Host}]:{Port}"
            : $"{Host}:{Port}";
}
