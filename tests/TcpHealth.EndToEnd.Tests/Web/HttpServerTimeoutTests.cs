using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

/// <summary>The server's client timeouts, made short: a slow head gets 408, an idle kept-alive connection is closed.</summary>
public class HttpServerTimeoutTests : IAsyncLifetime
{
    private readonly HttpServer _server = new(
        (_, _) => ValueTask.FromResult(HttpResponse.Text(200, "ok\n")),
        tls: null,
        new HttpServerTimeouts(KeepAlive: TimeSpan.FromMilliseconds(500), Head: TimeSpan.FromMilliseconds(500), Write: TimeSpan.FromSeconds(5)));

    public Task InitializeAsync()
    {
        _server.Listen(new IPEndPoint(IPAddress.Loopback, 0));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Socket> Connect()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(_server.LocalEndPoints.Single());
        return s;
    }

    private static async Task<string> ReadToClose(Socket s)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var all = new StringBuilder();
        var buf = new byte[4096];
        int n;
        while ((n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token)) > 0)
            all.Append(Encoding.Latin1.GetString(buf, 0, n));
        return all.ToString();
    }

    [Fact]
    public async Task AHeadThatStopsHalfwayIs408()
    {
        using var s = await Connect();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
        Assert.StartsWith("HTTP/1.1 408 ", await ReadToClose(s));
    }

    [Fact]
    public async Task AnIdleKeptAliveConnectionIsClosed()
    {
        using var s = await Connect();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        var reply = await ReadToClose(s);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", reply);
        Assert.DoesNotContain("Connection: close", reply); // kept alive, then closed for idling
    }
}
