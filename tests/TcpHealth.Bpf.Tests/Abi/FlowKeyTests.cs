using System.Net;

namespace TcpHealth.Bpf.Tests;

public sealed class FlowKeyTests
{
    [Fact]
    public void Ipv4_addresses_take_the_first_four_bytes()
    {
        var key = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 1, IPAddress.Parse("10.0.0.2"), 2, ifindex: 3);

        Assert.Equal(IPAddress.Parse("10.0.0.1"), key.Source);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), key.Destination);
        Assert.Equal(FlowFamily.IPv4, key.Family);
        unsafe
        {
            Assert.Equal(10, key.SrcAddr[0]);
            Assert.Equal(0, key.SrcAddr[4]);
        }

        Assert.Equal("10.0.0.1:1 -> 10.0.0.2:2 (if 3, proto 6)", key.ToString());
    }

    [Fact]
    public void Ipv6_keys_round_trip_and_compare_by_value()
    {
        var a = FlowKey.Create(IPAddress.Parse("2001:db8::1"), 5, IPAddress.Parse("2001:db8::2"), 6, ifindex: 9);
        var b = FlowKey.Create(IPAddress.Parse("2001:db8::1"), 5, IPAddress.Parse("2001:db8::2"), 6, ifindex: 9);
        var c = FlowKey.Create(IPAddress.Parse("2001:db8::1"), 5, IPAddress.Parse("2001:db8::2"), 6, ifindex: 10);

        Assert.Equal(IPAddress.Parse("2001:db8::2"), a.Destination);
        Assert.Equal(FlowFamily.IPv6, a.Family);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
    }

    [Fact]
    public void Mixed_families_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => FlowKey.Create(IPAddress.Loopback, 1, IPAddress.IPv6Loopback, 2, 1));
    }

    [Fact]
    public void Flow_directions_and_histogram_buckets_are_views_not_copies()
    {
        var flow = default(Flow);
        flow.Dir(Abi.DirRx).Packets = 7;
        Assert.Equal(7ul, flow.Rx.Packets);
        Assert.Throws<ArgumentOutOfRangeException>(() => flow.Dir(2));

        var hist = default(RttHist);
        hist.AsSpan()[Abi.RttBuckets - 1] = 3;
        Assert.Equal(Abi.RttBuckets, hist.AsSpan().Length);
        unsafe
        {
            Assert.Equal(3u, hist.Buckets[Abi.RttBuckets - 1]);
        }
    }
}
