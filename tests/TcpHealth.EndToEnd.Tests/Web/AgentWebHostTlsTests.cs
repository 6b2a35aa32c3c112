using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class AgentWebHostTlsTests
{
    private static async Task<AgentWebHost> StartAsync(WebTestFiles files, string extraYaml = "")
    {
        var config = WebConfigLoader.Load(files.Write("web.yml",
            "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n" + extraYaml));
        var host = new AgentWebHost(new AgentWebHostOptions
        {
            ListenAddresses = [ListenAddress.Parse("127.0.0.1:0")],
            WebConfig = config,
            Renderer = new FakeMetricsRenderer(),
        });
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    /// <summary>Trusts exactly one certificate, by thumbprint: no system store, no name games.</summary>
    private static HttpClient PinnedClient(X509Certificate2 pinned, SslProtocols protocols = SslProtocols.None) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, cert, _, _) => WebTestFiles.IsPinned(pinned, cert),
            },
        })
        { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task ServesHttpsWithTheConfiguredCertificate()
    {
        using var files = new WebTestFiles();
        using var cert = files.WriteSelfSignedCertificate();
        await using var host = await StartAsync(files);
        Assert.Equal("https", host.BoundUri.Scheme);

        using var client = PinnedClient(cert);
        using var response = await client.GetAsync(new Uri(host.BoundUri, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("tcphealth_up 1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http11IsNegotiatedUnderTlsAndHttp2IsNotOffered()
    {
        using var files = new WebTestFiles();
        using var cert = files.WriteSelfSignedCertificate();
        await using var host = await StartAsync(files);

        using var client = PinnedClient(cert);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BoundUri, "/healthz"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var exact = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BoundUri, "/healthz"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(exact));
    }

    [Fact]
    public async Task AnotherCertificateIsNotTrusted()
    {
        using var files = new WebTestFiles();
        using var served = files.WriteSelfSignedCertificate();
        using var other = new WebTestFiles();
        using var stranger = other.WriteSelfSignedCertificate();
        await using var host = await StartAsync(files);

        using var client = PinnedClient(stranger);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(host.BoundUri, "/healthz")));
    }

    [Fact]
    public async Task PlainHttpToTheTlsPortFails()
    {
        using var files = new WebTestFiles();
        using var _ = files.WriteSelfSignedCertificate();
        await using var host = await StartAsync(files);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var plain = new UriBuilder(host.BoundUri) { Scheme = "http", Path = "/healthz" }.Uri;
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(plain));
    }

    [Fact]
    public async Task MinVersionTls13RefusesTls12Clients()
    {
        using var files = new WebTestFiles();
        using var cert = files.WriteSelfSignedCertificate();
        await using var host = await StartAsync(files, "  min_version: TLS13\n");

        using (var tls13 = PinnedClient(cert, SslProtocols.Tls13))
        using (var ok = await tls13.GetAsync(new Uri(host.BoundUri, "/healthz")))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var tls12 = PinnedClient(cert, SslProtocols.Tls12);
        await Assert.ThrowsAsync<HttpRequestException>(() => tls12.GetAsync(new Uri(host.BoundUri, "/healthz")));
    }

    [Fact]
    public async Task TlsAndBasicAuthTogether()
    {
        using var files = new WebTestFiles();
        using var cert = files.WriteSelfSignedCertificate();
        await using var host = await StartAsync(files, $"basic_auth_users:\n  user: {WebTestFiles.UserPassHash}\n");
        using var client = PinnedClient(cert);

        using (var anonymous = await client.GetAsync(new Uri(host.BoundUri, "/metrics")))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BoundUri, "/metrics"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pass")));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ARotatedCertificateIsServedWithoutRestart()
    {
        using var files = new WebTestFiles();
        using var first = files.WriteSelfSignedCertificate();
        await using var host = await StartAsync(files);

        using (var client = PinnedClient(first))
        using (var response = await client.GetAsync(new Uri(host.BoundUri, "/healthz")))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var second = files.WriteSelfSignedCertificate();
        // Make the change visible even on filesystems with coarse timestamps.
        File.SetLastWriteTimeUtc(Path.Combine(files.Dir, "cert.pem"), DateTime.UtcNow.AddSeconds(5));
        File.SetLastWriteTimeUtc(Path.Combine(files.Dir, "key.pem"), DateTime.UtcNow.AddSeconds(5));

        using var rotated = PinnedClient(second);
        using var after = await rotated.GetAsync(new Uri(host.BoundUri, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
