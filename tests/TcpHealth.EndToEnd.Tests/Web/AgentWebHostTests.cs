using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class AgentWebHostTests
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);

    private static AgentWebHost Host(FakeMetricsRenderer renderer, Func<bool>? isReady = null, Func<string>? reason = null) =>
        new(new AgentWebHostOptions
        {
            ListenAddresses = [ListenAddress.Parse("127.0.0.1:0")],
            Renderer = renderer,
            IsReady = isReady ?? (() => true),
            NotReadyReason = reason,
            Version = "1.2.3<test>",
        });

    private static HttpClient Client(AgentWebHost host) =>
        new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = host.BoundUri,
            Timeout = ClientTimeout,
        };

    [Fact]
    public async Task BindsAnEphemeralLoopbackPort()
    {
        await using var host = Host(new FakeMetricsRenderer());
        await host.StartAsync(CancellationToken.None);
        Assert.Equal("http", host.BoundUri.Scheme);
        Assert.Equal("127.0.0.1", host.BoundUri.Host);
        Assert.NotEqual(0, host.BoundUri.Port);
    }

    [Fact]
    public async Task MetricsReturnsTheRendererOutput()
    {
        var renderer = new FakeMetricsRenderer { Body = string.Concat(Enumerable.Repeat("tcphealth_x{a=\"b\"} 1\n", 5000)) };
        await using var host = Host(renderer);
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        const string accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
        request.Headers.TryAddWithoutValidation("Accept", accept); // passed through verbatim
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeMetricsRenderer.ContentType, response.Content.Headers.ContentType!.ToString());
        Assert.Equal(renderer.Body, await response.Content.ReadAsStringAsync());
        Assert.Equal(Encoding.UTF8.GetByteCount(renderer.Body), response.Content.Headers.ContentLength);
        Assert.Equal(accept, renderer.LastAccept);
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task MetricsAreGzippedWhenAccepted()
    {
        var renderer = new FakeMetricsRenderer();
        await using var host = Host(renderer);
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var response = await client.SendAsync(request);

        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        Assert.Equal(renderer.Body, await new StreamReader(gzip).ReadToEndAsync());

        using var refused = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        refused.Headers.AcceptEncoding.ParseAdd("gzip;q=0");
        using var plain = await client.SendAsync(refused);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(renderer.Body, await plain.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ScrapesAreRenderedOneAtATime()
    {
        var renderer = new FakeMetricsRenderer { Delay = TimeSpan.FromMilliseconds(50) };
        await using var host = Host(renderer);
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.GetAsync("/metrics")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(6, renderer.Calls);
        Assert.Equal(1, renderer.MaxConcurrent);
    }

    [Fact]
    public async Task RendererFailureIsA500WithTheMessage()
    {
        var renderer = new FakeMetricsRenderer { Throw = new InvalidOperationException("snapshot map vanished") };
        await using var host = Host(renderer);
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);

        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("snapshot map vanished", await response.Content.ReadAsStringAsync());

        renderer.Throw = null;
        using var next = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task HealthzIsAlwaysOk()
    {
        await using var host = Host(new FakeMetricsRenderer(), isReady: () => false);
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);

        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadyzFollowsTheDelegate()
    {
        var ready = false;
        await using var host = Host(new FakeMetricsRenderer(), () => Volatile.Read(ref ready), () => "datapath not attached yet");
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);

        using (var notReady = await client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Equal("datapath not attached yet\n", await notReady.Content.ReadAsStringAsync());
        }

        Volatile.Write(ref ready, true);
        using var isReady = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, isReady.StatusCode);
    }

    [Fact]
    public async Task LandingPageLinksTheEndpointsAndShowsTheVersion()
    {
        await using var host = Host(new FakeMetricsRenderer());
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);

        using var response = await client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<a href=\"metrics\">", html);
        Assert.Contains("<a href=\"healthz\">", html);
        Assert.Contains("<a href=\"readyz\">", html);
        Assert.Contains("1.2.3&lt;test&gt;", html);

        using var missing = await client.GetAsync("/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task StopsQuicklyWithAKeptAliveConnection()
    {
        var host = Host(new FakeMetricsRenderer());
        await host.StartAsync(CancellationToken.None);
        using var client = Client(host);
        (await client.GetAsync("/healthz")).Dispose(); // leaves a pooled keep-alive connection open

        var watch = Stopwatch.StartNew();
        await host.StopAsync();
        await host.DisposeAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"stop took {watch.Elapsed}");

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/healthz"));
    }

    [Fact]
    public async Task ListensOnIpv6LoopbackToo()
    {
        await using var host = new AgentWebHost(new AgentWebHostOptions
        {
            ListenAddresses = [ListenAddress.Parse("[::1]:0"), ListenAddress.Parse("127.0.0.1:0")],
            Renderer = new FakeMetricsRenderer(),
        });
        await host.StartAsync(CancellationToken.None);
        Assert.Equal(2, host.BoundUris.Count);
        foreach (var uri in host.BoundUris)
        {
            using var client = new HttpClient { BaseAddress = uri, Timeout = ClientTimeout };
            using var response = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task APortInUseFailsStartWithTheAddress()
    {
        await using var first = Host(new FakeMetricsRenderer());
        await first.StartAsync(CancellationToken.None);
        await using var second = new AgentWebHost(new AgentWebHostOptions
        {
            ListenAddresses = [ListenAddress.Parse($"127.0.0.1:{first.BoundUri.Port}")],
            Renderer = new FakeMetricsRenderer(),
        });
        var e = await Assert.ThrowsAsync<IOException>(() => second.StartAsync(CancellationToken.None));
        Assert.Contains($"127.0.0.1:{first.BoundUri.Port}", e.Message);
    }

    [Fact]
    public async Task EveryInterfaceIsReportedAsAConnectableLoopbackUri()
    {
        await using var host = new AgentWebHost(new AgentWebHostOptions
        {
            ListenAddresses = [ListenAddress.Parse(":0")],
            Renderer = new FakeMetricsRenderer(),
        });
        await host.StartAsync(CancellationToken.None);
        Assert.Contains(host.BoundUri.Host, new[] { "[::1]", "127.0.0.1" });
        using var client = new HttpClient { BaseAddress = host.BoundUri, Timeout = ClientTimeout };
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
