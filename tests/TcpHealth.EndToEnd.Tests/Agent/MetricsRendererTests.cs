using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using TcpHealth.Agent;
using TcpHealth.Bpf;
using TcpHealth.Core.Config;
using TcpHealth.Core.Flows;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>The agent's /metrics text from a known state, without a kernel.</summary>
public sealed class MetricsRendererTests
{
    [Fact]
    public void Cross_zone_bytes_folded_into_overflow_are_still_exported()
    {
        var config = AgentConfigLoader.Parse(
            "zones:\n  - cidr: 10.0.1.0/24\n    zone: a\n  - cidr: 10.0.2.0/24\n    zone: b\n  - cidr: 10.0.3.0/24\n    zone: c\n" +
            "metrics:\n  series_budget: 1\n", "test.yaml");
        var state = new AgentState(config);
        var now = DateTimeOffset.UtcNow;
        FlowSnapshot Flow(string src, string dst, ulong bytes) =>
            new("eth0", IPEndPoint.Parse(src), IPEndPoint.Parse(dst), 6, new(bytes, 1, 1, 0, 0, 0), default,
                RttSummary.Empty, null, ConnectionOutcome.Unknown, TimeSpan.Zero, TimeSpan.Zero) { Id = bytes };
        state.Record(new DatapathSnapshot(now, [Flow("10.0.1.1:1000", "10.0.2.1:80", 100), Flow("10.0.1.1:1001", "10.0.3.1:80", 40)],
            new DatapathCounters(new ulong[Abi.CounterCount]), 1000), now);

        var body = new ArrayBufferWriter<byte>();
        new MetricsRenderer(state).Render(body, null);
        double crossZone = Encoding.UTF8.GetString(body.WrittenSpan).Split('\n')
            .Where(l => l.StartsWith("tcphealth_cross_zone_bytes_total{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        Assert.Equal(140, crossZone); // a -> b in its own series, a -> c folded (budget 1)
    }

    [Fact]
    public void Every_datapath_counter_is_exported_under_its_name()
    {
        var state = new AgentState(AgentConfig.Default);
        var values = Enumerable.Range(0, Abi.CounterCount).Select(i => 1000UL + (ulong)i).ToArray();
        var now = DateTimeOffset.UtcNow;
        state.Record(new DatapathSnapshot(now, [], new DatapathCounters(values), 1000), now);

        var body = new ArrayBufferWriter<byte>();
        new MetricsRenderer(state).Render(body, null);
        var lines = Encoding.UTF8.GetString(body.WrittenSpan).Split('\n');
        ulong Value(string series) => ulong.Parse(Assert.Single(lines, l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);
        ulong Expected(DatapathCounter c) => values[(int)c];

        Assert.Equal(Expected(DatapathCounter.Packets), Value("tcphealth_datapath_packets_total"));
        Assert.Equal(Expected(DatapathCounter.RttSamples), Value("tcphealth_rtt_samples_total"));
        Assert.Equal(Expected(DatapathCounter.NewFlowsLost), Value("tcphealth_new_flows_unannounced_total"));
        Assert.Equal(Expected(DatapathCounter.FlowsNotTracked), Value("tcphealth_datapath_not_tracked_total{what=\"flows\"}"));
        Assert.Equal(Expected(DatapathCounter.TsNotStored), Value("tcphealth_datapath_not_tracked_total{what=\"timestamps\"}"));
        Assert.Equal(Expected(DatapathCounter.RttHistNotTracked), Value("tcphealth_datapath_not_tracked_total{what=\"rtt_histograms\"}"));
        Assert.Equal(Expected(DatapathCounter.ErrL2), Value("tcphealth_parse_errors_total{layer=\"l2\"}"));
        Assert.Equal(Expected(DatapathCounter.ErrIp), Value("tcphealth_parse_errors_total{layer=\"ip\"}"));
        Assert.Equal(Expected(DatapathCounter.ErrIpv6Ext), Value("tcphealth_parse_errors_total{layer=\"ipv6_ext\"}"));
        Assert.Equal(Expected(DatapathCounter.ErrTcp), Value("tcphealth_parse_errors_total{layer=\"tcp\"}"));
        Assert.Equal(Expected(DatapathCounter.ErrTcpOpts), Value("tcphealth_parse_errors_total{layer=\"tcp_options\"}"));
        Assert.Equal(Expected(DatapathCounter.ErrL4), Value("tcphealth_parse_errors_total{layer=\"l4\"}"));
    }
}
