using System.Net;
using TcpHealth.Core.Config;

namespace TcpHealth.Core.Tests.Config;

public class PrefixTableTests
{
    private static PrefixTable<string> Table(params string[] prefixes) =>
        new(prefixes.Select(p => KeyValuePair.Create(IpPrefix.Parse(p), p)));

    private static string? Lookup<T>(PrefixTable<T> table, string address) =>
        table.TryLookup(IPAddress.Parse(address), out var value) ? value?.ToString() : null;

    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3/32")]
    [InlineData("10.1.2.4", "10.1.0.0/16")]
    [InlineData("10.2.0.1", "10.0.0.0/8")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3/32")]
    [InlineData("11.0.0.1", null)]
    [InlineData("2001:db8::1", null)]
    public void Longest_IPv4_prefix_wins(string address, string? expected)
    {
        var table = Table("10.0.0.0/8", "10.1.2.3/32", "10.1.0.0/16");
        Assert.Equal(expected, Lookup(table, address));
    }

    [Theory]
    [InlineData("fd00:1:2::7", "fd00:1:2::/48")]
    [InlineData("fd00:1:3::7", "fd00:1::/32")]
    [InlineData("fd99::1", "fd00::/8")]
    [InlineData("2001:db8::1", "::/0")]
    [InlineData("10.0.0.1", null)]
    public void Longest_IPv6_prefix_wins(string address, string? expected)
    {
        var table = Table("fd00::/8", "fd00:1::/32", "fd00:1:2::/48", "::/0");
        Assert.Equal(expected, Lookup(table, address));
    }

    [Fact]
    public void Default_routes_are_per_family()
    {
        var table = Table("0.0.0.0/0");
        Assert.Equal("0.0.0.0/0", Lookup(table, "203.0.113.9"));
        Assert.Null(Lookup(table, "2001:db8::1"));
    }

    [Fact]
    public void Span_lookup_takes_4_or_16_bytes()
    {
        var table = Table("10.1.0.0/16", "fd00::/8");
        Assert.True(table.TryLookup([10, 1, 9, 9], out var v4));
        Assert.Equal("10.1.0.0/16", v4);
        Assert.True(table.TryLookup(IPAddress.Parse("::ffff:10.1.9.9").GetAddressBytes(), out var mapped));
        Assert.Equal("10.1.0.0/16", mapped);
        Assert.True(table.TryLookup(IPAddress.Parse("fd00::5").GetAddressBytes(), out var v6));
        Assert.Equal("fd00::/8", v6);
        Assert.Throws<ArgumentException>(() => table.TryLookup(new byte[5], out _));
    }

    [Fact]
    public void Duplicate_prefix_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Table("10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8"));
        Assert.Contains("duplicate prefix 10.0.0.0/8", e.Message);
    }

    [Fact]
    public void Empty_table_matches_nothing()
    {
        Assert.False(PrefixTable<int>.Empty.TryLookup(IPAddress.Parse("10.0.0.1"), out _));
        Assert.Equal(0, PrefixTable<int>.Empty.Count);
    }

    [Fact]
    public void Holds_150k_entries()
    {
        // 150k /32 hosts in 10.0.0.0/8 plus covering /16s and a /8, and IPv6 /128s.
        var entries = new List<KeyValuePair<IpPrefix, int>>();
        for (int i = 0; i < 140_000; i++)
            entries.Add(KeyValuePair.Create(IpPrefix.Parse($"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}"), i));
        for (int i = 0; i < 10_000; i++)
            entries.Add(KeyValuePair.Create(IpPrefix.Parse($"fd00::{i:x}"), 1_000_000 + i));
        for (int b = 0; b < 256; b++)
            entries.Add(KeyValuePair.Create(IpPrefix.Parse($"10.{b}.0.0/16"), -b));
        entries.Add(KeyValuePair.Create(IpPrefix.Parse("10.0.0.0/8"), -1000));

        var table = new PrefixTable<int>(entries);

        Assert.Equal(150_257, table.Count);
        Assert.Equal("0", Lookup(table, "10.0.0.0"));
        Assert.Equal("66051", Lookup(table, "10.1.2.3"));
        Assert.Equal("139999", Lookup(table, "10.2.34.223"));
        Assert.Equal("-2", Lookup(table, "10.2.34.224"));
        Assert.Equal("-200", Lookup(table, "10.200.0.1"));
        Assert.Equal("1009999", Lookup(table, "fd00::270f"));
        Assert.Null(Lookup(table, "fd00::2710"));
        Assert.Null(Lookup(table, "11.0.0.1"));
    }
}
