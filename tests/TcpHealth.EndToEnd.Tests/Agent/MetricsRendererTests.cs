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
}
