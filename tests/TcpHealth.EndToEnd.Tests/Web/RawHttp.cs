using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TcpHealth.EndToEnd.Tests.Web;

/// <summary>A bare TCP client for the server tests: bytes in, bytes out, nothing an HTTP client would fix up.</summary>
internal static class RawHttp
{
    public static async Task<Socket> Connect(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, port);
        return s;
    }

    /// <summary>Everything the server sends until it closes the connection (a test failure after 10 s).</summary>
    public static async Task<string> ReadToClose(Socket s)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var all = new MemoryStream();
        var buf = new byte[65536];
        int n;
        while ((n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token)) > 0)
            all.Write(buf, 0, n);
        return Encoding.Latin1.GetString(all.ToArray());
    }
}
