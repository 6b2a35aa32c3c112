using System.Diagnostics.CodeAnalysis;
using System.Net;
using TcpHealth.Core.Config;
using TcpHealth.Core.Identity;

namespace TcpHealth.Core.Tests.Identity;

public class IdentityResolverTests
{
    private static readonly AgentConfig Config = AgentConfigLoader.Parse("""
        zones:
          - cidr: 10.1.0.0/16
            zone: us-east-1a
          - cidr: 10.2.0.0/16
            zone: us-east-1b
          - cidr: 10.1.9.0/24
            zone: us-east-1c
          - cidr: fd00:1::/32
            zone: us-east-1a
        endpoints:
          - name: rds-primary
            namespace: external
            zone: us-west-2a
            cidrs: [10.1.0.50/32]
          - name: cache
            namespace: infra
            cidrs: [10.1.0.0/24, 10.2.0.0/24, 192.0.2.0/24]
          - name: api
            namespace: shop
            cidrs: [fd00:1::/64]
        monitored:
          - 10.1.0.0/16
          - fd00::/16
        """, "agent.yaml");

    private static readonly IdentityResolver Resolver = new(Config);

    private static PeerIdentity Resolve(string address) => Resolver.Resolve(IPAddress.Parse(address));

    [Fact]
    public void Endpoint_with_zone_uses_its_own_zone()
    {
        Assert.Equal(new PeerIdentity("external", "rds-primary", "us-west-2a"), Resolve("10.1.0.50"));
    }

    [Fact]
    public void Longest_endpoint_prefix_wins_over_a_wider_one()
    {
        // 10.1.0.50/32 (rds-primary) is inside cache's 10.1.0.0/24.
        Assert.Equal("rds-primary", Resolve("10.1.0.50").Workload);
        Assert.Equal("cache", Resolve("10.1.0.51").Workload);
    }

    [Fact]
    public void Endpoint_without_zone_takes_each_addresss_zone_from_the_zones_map()
    {
        Assert.Equal(new PeerIdentity("infra", "cache", "us-east-1a"), Resolve("10.1.0.7"));
        Assert.Equal(new PeerIdentity("infra", "cache", "us-east-1b"), Resolve("10.2.0.7"));
        Assert.Equal(new PeerIdentity("infra", "cache", "unknown"), Resolve("192.0.2.7"));
        Assert.Equal(new PeerIdentity("shop", "api", "us-east-1a"), Resolve("fd00:1::9"));
    }

    [Fact]
    public void Repeated_lookups_share_one_instance()
    {
        Assert.Same(Resolve("10.2.0.7"), Resolve("10.2.0.8"));
        Assert.Same(Resolve("10.1.0.50"), Resolve("10.1.0.50"));
        Assert.Same(Resolve("10.1.200.1"), Resolve("10.1.201.1"));
    }

    [Fact]
    public void Address_outside_endpoints_gets_only_its_zone()
    {
        Assert.Equal(new PeerIdentity("unknown", "unknown", "us-east-1a"), Resolve("10.1.200.1"));
        Assert.Equal(new PeerIdentity("unknown", "unknown", "us-east-1c"), Resolve("10.1.9.1"));
        Assert.Equal(new PeerIdentity("unknown", "unknown", "us-east-1a"), Resolve("fd00:1:0:1::1"));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:8.8.8.8")]
    public void Unknown_address_is_all_unknown(string address)
    {
        Assert.Same(PeerIdentity.Unknown, Resolve(address));
        Assert.Equal(new PeerIdentity("unknown", "unknown", "unknown"), PeerIdentity.Unknown);
    }

    [Fact]
    public void IPv4_mapped_addresses_resolve_as_IPv4()
    {
        Assert.Equal(Resolve("10.1.0.50"), Resolve("::ffff:10.1.0.50"));
        Assert.True(Resolver.IsMonitored(IPAddress.Parse("::ffff:10.1.3.4")));
    }

    [Fact]
    public void Span_overloads_match_the_IPAddress_ones()
    {
        Assert.Same(Resolve("10.2.0.7"), Resolver.Resolve([10, 2, 0, 7]));
        Assert.True(Resolver.IsMonitored([10, 1, 3, 4]));
    }

    [Theory]
    [InlineData("10.1.3.4", true)]
    [InlineData("10.2.3.4", false)]
    [InlineData("fd00:5::1", true)]
    [InlineData("fd01::1", false)]
    public void Monitored_comes_from_the_monitored_ranges(string address, bool expected)
    {
        Assert.Equal(expected, Resolver.IsMonitored(IPAddress.Parse(address)));
    }

    [Fact]
    public void Empty_config_resolves_everything_to_unknown()
    {
        var resolver = new IdentityResolver(AgentConfig.Default);
        Assert.Same(PeerIdentity.Unknown, resolver.Resolve(IPAddress.Parse("10.1.0.50")));
        Assert.False(resolver.IsMonitored(IPAddress.Parse("10.1.0.50")));
    }

    [Fact]
    public void Preferred_sources_are_asked_before_the_config()
    {
        var pod = new PeerIdentity("shop", "checkout", "us-east-1b");
        var resolver = new IdentityResolver(Config, new FixedSource(IpPrefix.Parse("10.1.0.0/24"), pod));

        Assert.Same(pod, resolver.Resolve(IPAddress.Parse("10.1.0.50")));
        Assert.Equal("cache", resolver.Resolve(IPAddress.Parse("10.2.0.7")).Workload);
    }

    private sealed class FixedSource(IpPrefix prefix, PeerIdentity identity) : IIdentitySource
    {
        public bool TryResolve(ReadOnlySpan<byte> address, [NotNullWhen(true)] out PeerIdentity? result)
        {
            result = prefix.Contains(address) ? identity : null;
            return result is not null;
        }
    }
}
