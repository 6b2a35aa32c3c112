using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class HttpRequestParserTests
{
    private static HttpRequest Parse(string head) => HttpRequestParser.Parse(Encoding.Latin1.GetBytes(head));

    private static int Refused(string head) => Assert.Throws<BadRequestException>(() => Parse(head)).Status;

    [Fact]
    public void AScrapersRequest()
    {
        var r = Parse("GET /metrics?x=1 HTTP/1.1\r\nHost: node:9990\r\nAccept-Encoding: gzip\r\naccept: text/plain\r\n\r\n");
        Assert.Equal("GET", r.Method);
        Assert.Equal("/metrics", r.Path);
        Assert.True(r.KeepAlive);
        Assert.Equal("gzip", r.Header("accept-encoding"));
        Assert.Equal("text/plain", r.Header("Accept"));
        Assert.Null(r.Header("Authorization"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, Upgrade\r\n\r\n", true)]
    [InlineData("GET / HTTP/1.0\r\n\r\n", false)]
    [InlineData("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true)]
    public void KeepAliveFollowsTheVersionAndConnection(string head, bool keepAlive) =>
        Assert.Equal(keepAlive, Parse(head).KeepAlive);

    [Fact]
    public void AbsoluteFormTargetsGiveTheirPath() =>
        Assert.Equal("/metrics", Parse("GET http://node:9990/metrics?a HTTP/1.1\r\nHost: node\r\n\r\n").Path);

    [Fact]
    public void RepeatedHeadersAreJoined() =>
        Assert.Equal("gzip, br", Parse("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\nAccept-Encoding: br\r\n\r\n").Header("Accept-Encoding"));

    [Theory]
    [InlineData("GET /\r\n\r\n", 400)]                                                 // HTTP/0.9
    [InlineData("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400)]                           // two spaces
    [InlineData("PRI * HTTP/2.0\r\n\r\n", 505)]                                       // HTTP/2 preface
    [InlineData("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("GET ftp://x/ HTTP/1.1\r\nHost: h\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]                                       // no Host
    [InlineData("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400)]                           // space before colon
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400)]                 // obsolete folding
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 2\r\n\r\n", 400)]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 400)]
    public void MalformedHeadsAreRefusedWithTheirStatus(string head, int status) =>
        Assert.Equal(status, Refused(head));

    [Fact]
    public void TooManyHeaderFieldsAre431()
    {
        var head = "GET / HTTP/1.1\r\nHost: h\r\n" + string.Concat(Enumerable.Range(0, HttpRequestParser.MaxHeaders).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        Assert.Equal(431, Refused(head));
    }

    [Fact]
    public void TheHeadEndsAtTheFirstEmptyLine()
    {
        var data = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /next");
        Assert.Equal(data.Length - "GET /next".Length, HttpRequestParser.HeadLength(data));
        Assert.Equal(-1, HttpRequestParser.HeadLength(data.AsSpan(0, 20)));
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("deflate, GZIP;q=0.5", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("gzip; q=0.000", false)]
    [InlineData("br, identity", false)]
    [InlineData("*", false)]
    [InlineData(null, false)]
    public void GzipIsUsedOnlyWhenAccepted(string? acceptEncoding, bool gzip) =>
        Assert.Equal(gzip, MetricsEndpoint.AcceptsGzip(acceptEncoding));
}
