using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class AgentWebHostAuthTests
{
    private static async Task<AgentWebHost> StartAsync(WebTestFiles files)
    {
        var config = WebConfigLoader.Load(files.Write("web.yml", $"basic_auth_users:\n  user: {WebTestFiles.UserPassHash}\n"));
        var host = new AgentWebHost(new AgentWebHostOptions
        {
            ListenAddresses = [ListenAddress.Parse("127.0.0.1:0")],
            WebConfig = config,
            Renderer = new FakeMetricsRenderer(),
        });
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    private static async Task<HttpResponseMessage> GetAsync(AgentWebHost host, string path, string? credentials)
    {
        using var client = new HttpClient { BaseAddress = host.BoundUri, Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (credentials is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return await client.SendAsync(request);
    }

    private static void AssertChallenged(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic realm=\"tcphealth\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/healthz")] // exporter-toolkit protects every path; so do we
    [InlineData("/readyz")]
    [InlineData("/")]
    public async Task NoCredentialsIsChallenged(string path)
    {
        using var files = new WebTestFiles();
        await using var host = await StartAsync(files);
        using var response = await GetAsync(host, path, null);
        AssertChallenged(response);
    }

    [Theory]
    [InlineData("user:wrong")]
    [InlineData("User:pass")]
    [InlineData("nobody:pass")]
    [InlineData("user")]
    [InlineData("user:pass:extra")]
    public async Task WrongCredentialsAreChallenged(string credentials)
    {
        using var files = new WebTestFiles();
        await using var host = await StartAsync(files);
        using var response = await GetAsync(host, "/metrics", credentials);
        AssertChallenged(response);
    }

    [Fact]
    public async Task MalformedHeaderIsChallenged()
    {
        using var files = new WebTestFiles();
        await using var host = await StartAsync(files);
        using var client = new HttpClient { BaseAddress = host.BoundUri, Timeout = TimeSpan.FromSeconds(10) };
        foreach (var header in new[] { "Basic !!!notbase64", "Bearer abc", "Basic " })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await client.SendAsync(request);
            AssertChallenged(response);
        }
    }

    [Fact]
    public async Task RightCredentialsPass()
    {
        using var files = new WebTestFiles();
        await using var host = await StartAsync(files);
        for (var i = 0; i < 3; i++) // later ones hit the verification cache
        {
            using var response = await GetAsync(host, "/metrics", "user:pass");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("tcphealth_up 1", await response.Content.ReadAsStringAsync());
        }
    }
}
