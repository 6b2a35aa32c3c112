using System.Net;
using System.Net.Sockets;
using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

/// <summary>The server as a raw TCP client sees it: keep-alive, pipelining, and what it does with bad or hostile input.</summary>
public class AgentWebHostHttpTests : IAsyncLifetime
{
    private readonly AgentWebHost _host = new(new AgentWebHostOptions
    {
        ListenAddresses = [ListenAddress.Parse("127.0.0.1:0")],
        Renderer = new FakeMetricsRenderer(),
    });

    public Task InitializeAsync() => _host.StartAsync(CancellationToken.None);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<Socket> Connect() => RawHttp.Connect(_host.BoundUri.Port);

    private async Task<string> Exchange(string request)
    {
        using var s = await Connect();
        await s.SendAsync(Encoding.Latin1.GetBytes(request));
        return await RawHttp.ReadToClose(s);
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "").Length) / what.Length;

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrderOnOneConnection()
    {
        var replies = await Exchange(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" +
            "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
            "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.Equal(3, Count(replies, "HTTP/1.1 200 OK\r\n"));
        int ok = replies.IndexOf("\r\n\r\nok\n", StringComparison.Ordinal);
        int metrics = replies.IndexOf("tcphealth_up 1\n", StringComparison.Ordinal);
        int ready = replies.IndexOf("\r\n\r\nready\n", StringComparison.Ordinal);
        Assert.True(ok >= 0 && ok < metrics && metrics < ready, replies);
        Assert.EndsWith("ready\n", replies);
        Assert.Contains("Connection: close\r\n", replies[replies.LastIndexOf("HTTP/1.1", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task ABodyArrivingAfterItsHeadIsReadAndDropped()
    {
        using var s = await Connect();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345"));
        await Task.Delay(200);
        await s.SendAsync(Encoding.ASCII.GetBytes("67890GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        var replies = await RawHttp.ReadToClose(s);
        Assert.Equal(2, Count(replies, "HTTP/1.1 200 OK\r\n"));
        Assert.EndsWith("\r\n\r\nready\n", replies);
    }

    [Fact]
    public async Task Http10ClosesAfterTheResponseWithItsLength()
    {
        var reply = await Exchange("GET /healthz HTTP/1.0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", reply);
        Assert.Contains("Content-Length: 3\r\n", reply);
        Assert.Contains("Date: ", reply);
        Assert.EndsWith("\r\n\r\nok\n", reply);
    }

    [Theory]
    [InlineData("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 ")]
    [InlineData("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 405 ")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HTTP/1.1 505 ")]
    [InlineData("GET /metrics\r\n\r\n", "HTTP/1.1 400 ")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 400 ")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", "HTTP/1.1 413 ")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n", "HTTP/1.1 400 ")] // a TLS ClientHello on the plain port
    public async Task BadRequestsGetTheirStatusAndTheServerKeepsServing(string request, string statusLine)
    {
        var reply = await Exchange(request);
        Assert.StartsWith(statusLine, reply);
        Assert.Contains("\r\n\r\n", reply);

        using var client = new HttpClient { BaseAddress = _host.BoundUri, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task AnOversizedHeadIs431AndClosed()
    {
        using var s = await Connect();
        var head = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + new string('a', HttpRequestParser.MaxHeadBytes) + "\r\n\r\n";
        try
        {
            await s.SendAsync(Encoding.ASCII.GetBytes(head));
        }
        catch (SocketException)
        {
            // The server may close while we are still sending: the reply is already on its way.
        }
        Assert.StartsWith("HTTP/1.1 431 ", await RawHttp.ReadToClose(s));
    }

    [Fact]
    public async Task ConnectionsBeyondTheLimitAreClosedAndOthersStillServed()
    {
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < HttpServer.MaxConnections; i++)
                held.Add(await Connect());
            using var extra = await Connect();
            Assert.Equal("", await RawHttp.ReadToClose(extra));
        }
        finally
        {
            foreach (var s in held)
                s.Dispose();
        }

        // The held ones were closed by us: the server counts them down and serves again.
        using var client = new HttpClient { BaseAddress = _host.BoundUri, Timeout = TimeSpan.FromSeconds(10) };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
                break;
            }
            catch (HttpRequestException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task StoppingClosesAnIdleConnectionWithoutWaitingForIt()
    {
        using var s = await Connect();
        await s.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
        var buf = new byte[4096];
        Assert.True(await s.ReceiveAsync(buf) > 0);

        await _host.StopAsync();
        Assert.Equal("", await RawHttp.ReadToClose(s));
    }
}
