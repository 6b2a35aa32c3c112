using System.Net;
using TcpHealth.Core.Config;

namespace TcpHealth.Core.Tests.Config;

public class IpPrefixTests
{
    [Theory]
    [InlineData("10.1.0.0/16", "10.1.0.0/16", 16, false)]
    [InlineData("10.0.1.50", "10.0.1.50/32", 32, false)]
    [InlineData("10.0.1.50/32", "10.0.1.50/32", 32, false)]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", 0, false)]
    [InlineData("fd00::/8", "fd00::/8", 8, true)]
    [InlineData("::1", "::1/128", 128, true)]
    [InlineData("::/0", "::/0", 0, true)]
    [InlineData("2001:db8::/32", "2001:db8::/32", 32, true)]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8", 8, false)]
    [InlineData("::ffff:10.0.1.50", "10.0.1.50/32", 32, false)]
    public void Parses_and_normalizes(string text, string canonical, int length, bool ipv6)
    {
        var prefix = IpPrefix.Parse(text);
        Assert.Equal(canonical, prefix.ToString());
        Assert.Equal(length, prefix.Length);
        Assert.Equal(ipv6, prefix.IsIPv6);
    }

    [Theory]
    [InlineData("10.1.0.0/33", "'10.1.0.0/33': prefix length must be 0-32 for IPv4")]
    [InlineData("fd00::/129", "'fd00::/129': prefix length must be 0-128 for IPv6")]
    [InlineData("10.1.0.0/-1", "prefix length must be 0-32 for IPv4")]
    [InlineData("10.1.0.0/", "prefix length must be 0-32 for IPv4")]
    [InlineData("10.1.0.0/016", "prefix length must be 0-32 for IPv4")]
    [InlineData("10.1.0.0/1x", "prefix length must be 0-32 for IPv4")]
    [InlineData("10.1.2.0/16", "'10.1.2.0/16': host bits are set after /16 (did you mean 10.1.0.0/16?)")]
    [InlineData("fd00::1/8", "host bits are set after /8 (did you mean fd00::/8?)")]
    [InlineData("10.1/16", "not a valid IPv4 address")]
    [InlineData("10.1.0.256/32", "not a valid IPv4 address")]
    [InlineData("010.1.0.0/16", "not a valid IPv4 address")]
    [InlineData("10.1.0.0.0/16", "not a valid IPv4 address")]
    [InlineData("banana", "not a valid IPv4 address")]
    [InlineData("fd00:::1/64", "not a valid IPv6 address")]
    [InlineData("fe80::1%eth0/64", "zone index")]
    [InlineData("::ffff:10.0.0.0/64", "IPv4-mapped prefix must be at least /96")]
    [InlineData("", "empty CIDR")]
    public void Rejects_with_a_clear_message(string text, string expected)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
        var thrown = Assert.Throws<FormatException>(() => IpPrefix.Parse(text));
        Assert.Equal(error, thrown.Message);
    }

    [Theory]
    [InlineData("10.1.0.0/16", "10.1.255.7", true)]
    [InlineData("10.1.0.0/16", "10.2.0.1", false)]
    [InlineData("10.1.0.0/16", "::ffff:10.1.3.4", true)]
    [InlineData("0.0.0.0/0", "192.0.2.1", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("::/0", "::ffff:10.1.3.4", false)]
    [InlineData("fd00::/8", "fd12:3456::1", true)]
    [InlineData("fd00::/8", "fe80::1", false)]
    [InlineData("10.0.1.50", "10.0.1.50", true)]
    [InlineData("10.0.1.50", "10.0.1.51", false)]
    [InlineData("::1", "::1", true)]
    public void Contains_matches_family_and_bits(string prefix, string address, bool expected)
    {
        Assert.Equal(expected, IpPrefix.Parse(prefix).Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Equal_after_normalization()
    {
        Assert.Equal(IpPrefix.Parse("10.0.1.50"), IpPrefix.Parse("10.0.1.50/32"));
        Assert.Equal(IpPrefix.Parse("::ffff:10.0.0.0/104"), IpPrefix.Parse("10.0.0.0/8"));
        Assert.NotEqual(IpPrefix.Parse("10.0.0.0/8"), IpPrefix.Parse("10.0.0.0/9"));
        Assert.NotEqual(IpPrefix.Parse("0.0.0.0/0"), IpPrefix.Parse("::/0"));
    }
}
