using System.Net;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class ListenAddressTests
{
    [Fact]
    public void HostAndPort()
    {
        var a = ListenAddress.Parse("127.0.0.1:9977");
        Assert.Equal("127.0.0.1", a.Host);
        Assert.Equal(9977, a.Port);
        Assert.Equal(IPAddress.Loopback, a.Address);
        Assert.False(a.IsAnyHost);
        Assert.Equal("127.0.0.1:9977", a.ToString());
    }

    [Fact]
    public void EmptyHostMeansEveryInterface()
    {
        var a = ListenAddress.Parse(":9977");
        Assert.True(a.IsAnyHost);
        Assert.Null(a.Address);
        Assert.Equal(9977, a.Port);
        Assert.Equal(":9977", a.ToString());
    }

    [Fact]
    public void BracketedIpv6()
    {
        var a = ListenAddress.Parse("[::1]:9977");
        Assert.Equal("::1", a.Host);
        Assert.Equal(IPAddress.IPv6Loopback, a.Address);
        Assert.Equal("[::1]:9977", a.ToString());
    }

    [Fact]
    public void Ipv4Unspecified()
    {
        var a = ListenAddress.Parse("0.0.0.0:0");
        Assert.Equal(IPAddress.Any, a.Address);
        Assert.Equal(0, a.Port);
        Assert.False(a.IsAnyHost);
    }

    [Theory]
    [InlineData("localhost:9977", true)]
    [InlineData("node-1.example.org:9977", false)]
    public void Hostnames(string text, bool isLocalhost)
    {
        var a = ListenAddress.Parse(text);
        Assert.Null(a.Address);
        Assert.Equal(isLocalhost, a.IsLocalhost);
        Assert.Equal(text, a.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("9977", "missing ':PORT'")]
    [InlineData("127.0.0.1", "missing ':PORT'")]
    [InlineData("::1:9977", "brackets")]
    [InlineData("[::1]9977", "missing ':PORT' after ']'")]
    [InlineData("[::1:9977", "missing ']'")]
    [InlineData("[127.0.0.1]:9977", "not an IPv6 address")]
    [InlineData("127.0.0.1:", "port is empty")]
    [InlineData(":http", "not a number")]
    [InlineData(":65536", "not a number between 0 and 65535")]
    [InlineData(":-1", "not a number")]
    [InlineData("127.1:9977", "not a dotted IPv4 address")]
    [InlineData("300.0.0.1:9977", "not a dotted IPv4 address")]
    [InlineData("bad_host!:9977", "not a valid hostname")]
    public void RejectsWithAClearMessage(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ListenAddress.Parse(text));
        Assert.Contains($"invalid listen address '{text}'", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
