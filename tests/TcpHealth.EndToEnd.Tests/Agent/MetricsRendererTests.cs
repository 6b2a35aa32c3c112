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
        (DatapathCounter, string)[] exportedAs =
        [
            (DatapathCounter.Packets, "tcphealth_datapath_packets_total"),
            (DatapathCounter.RttSamples, "tcphealth_rtt_samples_total"),
            (DatapathCounter.NewFlowsLost, "tcphealth_new_flows_unannounced_total"),
            (DatapathCounter.FlowsNotTracked, "tcphealth_datapath_not_tracked_total{what=\"flows\"}"),
            (DatapathCounter.TsNotStored, "tcphealth_datapath_not_tracked_total{what=\"timestamps\"}"),
            (DatapathCounter.RttHistNotTracked, "tcphealth_datapath_not_tracked_total{what=\"rtt_histograms\"}"),
            (DatapathCounter.ErrL2, "tcphealth_parse_errors_total{layer=\"l2\"}"),
            (DatapathCounter.ErrIp, "tcphealth_parse_errors_total{layer=\"ip\"}"),
            (DatapathCounter.ErrIpv6Ext, "tcphealth_parse_errors_total{layer=\"ipv6_ext\"}"),
            (DatapathCounter.ErrTcp, "tcphealth_parse_errors_total{layer=\"tcp\"}"),
            (DatapathCounter.ErrTcpOpts, "tcphealth_parse_errors_total{layer=\"tcp_options\"}"),
            (DatapathCounter.ErrL4, "tcphealth_parse_errors_total{layer=\"l4\"}"),
        ];
        foreach (var (counter, series) in exportedAs)
            Assert.Equal(values[(int)counter], Value(series));
    }
}
