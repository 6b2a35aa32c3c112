using TcpHealth.Core.Config;

namespace TcpHealth.Core.Tests.Config;

public class AgentConfigLoaderTests
{
    private const string Full = """
        zones:
          - cidr: 10.1.0.0/16
            zone: us-east-1a
          - cidr: 10.2.0.0/16
            zone: us-east-1b
        endpoints:
          - name: rds-primary
            namespace: external
            zone: us-east-1a
            cidrs: [10.0.1.50/32, "fd00::50"]
          - name: cache
            cidrs:
              - 10.0.2.0/24
        monitored:
          - 10.1.0.0/16
          - fd00:1::/32
        metrics:
          rtt_buckets: [0.0001, 0.001, 1e-2, 0.1, 1]
          series_budget: 500
          series_ttl: 1m30s
        """;

    [Fact]
    public void Reads_every_section()
    {
        var config = AgentConfigLoader.Parse(Full, "agent.yaml");

        Assert.Equal(
            [new ZoneMapping(IpPrefix.Parse("10.1.0.0/16"), "us-east-1a"), new ZoneMapping(IpPrefix.Parse("10.2.0.0/16"), "us-east-1b")],
            config.Zones);
        Assert.Equal(2, config.Endpoints.Count);
        var rds = config.Endpoints[0];
        Assert.Equal(("rds-primary", "external", "us-east-1a"), (rds.Name, rds.Namespace, rds.Zone));
        Assert.Equal([IpPrefix.Parse("10.0.1.50/32"), IpPrefix.Parse("fd00::50/128")], rds.Cidrs);
        var cache = config.Endpoints[1];
        Assert.Equal(("cache", "unknown", (string?)null), (cache.Name, cache.Namespace, cache.Zone));
        Assert.Equal([IpPrefix.Parse("10.1.0.0/16"), IpPrefix.Parse("fd00:1::/32")], config.Monitored);
        Assert.Equal([0.0001, 0.001, 0.01, 0.1, 1], config.Metrics.RttBuckets);
        Assert.Equal(500, config.Metrics.SeriesBudget);
        Assert.Equal(TimeSpan.FromSeconds(90), config.Metrics.SeriesTtl);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing configured yet\n")]
    [InlineData("zones:\nendpoints:\nmonitored:\nmetrics:\n")]
    [InlineData("zones: []\nendpoints: []\nmonitored: []\nmetrics: {}\n")]
    public void Empty_file_or_sections_mean_defaults(string yaml)
    {
        var config = AgentConfigLoader.Parse(yaml, "agent.yaml");
        Assert.Empty(config.Zones);
        Assert.Empty(config.Endpoints);
        Assert.Empty(config.Monitored);
        Assert.Equal(MetricsConfig.Default, config.Metrics);
    }

    [Fact]
    public void Defaults_are_50us_to_10s_buckets_2000_series_10_minutes()
    {
        var metrics = AgentConfigLoader.Parse("metrics:\n  series_budget: 10\n", "agent.yaml").Metrics;
        Assert.Equal(10, metrics.SeriesBudget);
        Assert.Equal(TimeSpan.FromMinutes(10), metrics.SeriesTtl);
        Assert.Equal(0.00005, metrics.RttBuckets[0]);
        Assert.Equal(10, metrics.RttBuckets[^1]);
        Assert.Equal(17, metrics.RttBuckets.Count);
        Assert.Equal(metrics.RttBuckets.Order(), metrics.RttBuckets);
        Assert.Equal(2000, MetricsConfig.Default.SeriesBudget);
    }

    public static TheoryData<string, string> BadConfigs => new()
    {
        // Each message starts with "agent.yaml:LINE:", the line to fix.
        {
            """
            zones:
              - cidr: 10.1.0.0/16
                zone: us-east-1a
              - cidr: 10.1.0.0/33
                zone: us-east-1b
            """,
            "agent.yaml:4: zones[1].cidr: '10.1.0.0/33': prefix length must be 0-32 for IPv4"
        },
        {
            """
            zones:
              - cidr: 10.1.0.0/16
                zome: us-east-1a
            """,
            "agent.yaml:3: zones[0]: unknown key 'zome' (expected cidr, zone)"
        },
        {
            """
            zones:
              - cidr: 10.1.0.0/16
            """,
            "agent.yaml:2: zones[0]: missing required key 'zone'"
        },
        {
            """
            zones:
              - zone: us-east-1a
            """,
            "agent.yaml:2: zones[0]: missing required key 'cidr'"
        },
        {
            """
            # comment
            zones:
              cidr: 10.1.0.0/16
            """,
            "agent.yaml:3: zones: expected a list, got a mapping"
        },
        {
            """
            zones:
              - cidr: 10.1.0.0/16
                zone: a
              - cidr: 10.2.0.0/16
                zone: b
              - cidr: 10.1.0.0/16
                zone: c
            """,
            "agent.yaml:6: zones[2].cidr: 10.1.0.0/16 is already mapped at line 2 (zones[0].cidr)"
        },
        {
            """
            endpoints:
              - name: rds
                cidrs: [10.0.1.50]
              - name: rds-replica
                cidrs:
                  - 10.0.1.51
                  - 10.0.1.50/32
            """,
            "agent.yaml:7: endpoints[1].cidrs[1]: 10.0.1.50/32 is already listed at line 3 (endpoints[0].cidrs[0])"
        },
        {
            """
            endpoints:
              - name: rds
                namespace: external
            """,
            "agent.yaml:2: endpoints[0]: missing required key 'cidrs'"
        },
        {
            """
            endpoints:
              - name: rds
                cidrs: []
            """,
            "agent.yaml:3: endpoints[0].cidrs: must list at least one CIDR"
        },
        {
            """
            endpoints:
              - name: rds
                cidrs: [10.0.1.0/16]
            """,
            "agent.yaml:3: endpoints[0].cidrs[0]: '10.0.1.0/16': host bits are set after /16 (did you mean 10.0.0.0/16?)"
        },
        {
            """
            monitored:
              - 10.1.0.0/16
              - banana
            """,
            "agent.yaml:3: monitored[1]: 'banana': not a valid IPv4 address"
        },
        {
            """
            metrics:
              series_ttl: 10 minutes
            """,
            "agent.yaml:2: metrics.series_ttl: '10 minutes': unknown unit ' minutes'"
        },
        {
            """
            metrics:
              series_ttl: 0s
            """,
            "agent.yaml:2: metrics.series_ttl: must be positive, got '0s'"
        },
        {
            """
            metrics:

              series_budget: -5
            """,
            "agent.yaml:3: metrics.series_budget: must be positive, got -5"
        },
        {
            """
            metrics:
              series_budget: lots
            """,
            "agent.yaml:2: metrics.series_budget: expected a whole number, got 'lots'"
        },
        {
            """
            metrics:
              rtt_buckets:
                - 0.001
                - 0.01
                - 0.005
            """,
            "agent.yaml:5: metrics.rtt_buckets[2]: 0.005 is not greater than the bound before it (0.01); bounds must be strictly increasing"
        },
        {
            """
            metrics:
              rtt_buckets: [0, 0.001]
            """,
            "agent.yaml:2: metrics.rtt_buckets[0]: bucket bounds must be positive, got 0"
        },
        {
            """
            metrics:
              rtt_buckets: 0.001
            """,
            "agent.yaml:2: metrics.rtt_buckets: expected a list, got '0.001'"
        },
        {
            """
            zones: []
            metrics: {}
            zone: []
            """,
            "agent.yaml:3: unknown key 'zone' (expected zones, endpoints, monitored, metrics)"
        },
        {
            """
            zones: []
            zones: []
            """,
            "agent.yaml:2: invalid YAML: Duplicate key zones"
        },
        {
            """
            zones:
              - cidr: "10.1.0.0/16
            """,
            "agent.yaml:2: invalid YAML: "
        },
        {
            """
            - 10.1.0.0/16
            """,
            "agent.yaml:1: expected a mapping (key: value lines), got a list"
        },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Errors_name_the_line_and_path(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => AgentConfigLoader.Parse(yaml, "agent.yaml"));
        Assert.StartsWith(expected, e.Message);
        Assert.Equal("agent.yaml", e.SourceName);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void Load_reads_the_file_and_names_it_in_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tcphealth-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(path, "metrics:\n  series_ttl: 30s\n");
            Assert.Equal(TimeSpan.FromSeconds(30), AgentConfigLoader.Load(path).Metrics.SeriesTtl);

            File.WriteAllText(path, "metrics:\n  series_ttl: soon\n");
            var e = Assert.Throws<ConfigException>(() => AgentConfigLoader.Load(path));
            Assert.StartsWith($"{path}:2: metrics.series_ttl:", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_file_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => AgentConfigLoader.Load("/nonexistent/agent.yaml"));
        Assert.Equal("/nonexistent/agent.yaml: file not found", e.Message);
        Assert.Null(e.Line);
    }
}
