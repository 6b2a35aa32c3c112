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

    private Task<Socket> Connect() => RawHttp.Connect(_server.LocalEndPoints.Single().Port);

    [Fact]
    public async Task AHeadThatStopsHalfwayIs408()
    {
        using var s = await Connect();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
        Assert.StartsWith("HTTP/1.1 408 ", await RawHttp.ReadToClose(s));
    }

    [Fact]
    public async Task AnIdleKeptAliveConnectionIsClosed()
    {
        using var s = await Connect();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        var reply = await RawHttp.ReadToClose(s);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", reply);
        Assert.DoesNotContain("Connection: close", reply); // kept alive, then closed for idling
    }
}
