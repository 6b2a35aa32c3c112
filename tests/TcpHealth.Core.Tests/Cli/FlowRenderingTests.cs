using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using TcpHealth.Core.Cli;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Tests.Cli;

public class FlowRenderingTests
{
    private static FlowSnapshot Flow(string src, string dst, ulong txBytes, RttSummary? rtt = null) => new(
        "eth0",
        IPEndPoint.Parse(src),
        IPEndPoint.Parse(dst),
        6,
        new DirectionCounters(txBytes, 10, 12, 2, 1, 0),
        new DirectionCounters(500, 8, 8, 0, 0, 3),
        rtt ?? RttSummary.Empty,
        TimeSpan.FromMilliseconds(1.5),
        ConnectionOutcome.Established,
        TimeSpan.FromSeconds(3),
        TimeSpan.Zero);

    private static JsonElement Json(FlowSnapshot f)
    {
        var buffer = new ArrayBufferWriter<byte>();
        FlowJsonWriter.WriteLine(buffer, f, new DateTimeOffset(2026, 11, 21, 5, 0, 0, TimeSpan.Zero));
        var text = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.EndsWith("\n", text);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public void Json_carries_every_documented_field()
    {
        // Five samples: 1 ms, three of 2 ms, 4 ms.
        int anchor = RttHistogram.AnchorFor(1_000_000);
        var buckets = new uint[RttHistogram.BucketCount];
        foreach (ulong ns in new ulong[] { 1_000_000, 2_000_000, 2_000_000, 2_000_000, 4_000_000 })
            buckets[RttHistogram.BucketOf(anchor, ns)]++;
        var rtt = new RttSummary(5, 11_000_000, 1_000_000, 4_000_000, new RttHistogram(anchor, 0, 0, buckets, 1_000_000, 4_000_000));
        var e = Json(Flow("10.0.0.1:40000", "10.0.0.2:443", 1234, rtt));
        string[] fields =
        [
            "ts", "iface", "src", "dst", "rtt_samples", "rtt_min_ms", "rtt_p50_ms", "rtt_p99_ms", "rtt_max_ms",
            "handshake_rtt_ms", "tx_bytes", "rx_bytes", "tx_packets", "rx_packets", "retrans_segs", "resets_sent",
            "resets_received", "zero_window_sent", "zero_window_received", "proto", "outcome",
        ];
        foreach (var name in fields)
            Assert.True(e.TryGetProperty(name, out _), $"missing {name}");
        Assert.Equal("2026-11-21T05:00:00.000Z", e.GetProperty("ts").GetString());
        Assert.Equal("10.0.0.1:40000", e.GetProperty("src").GetString());
        Assert.Equal(1234ul, e.GetProperty("tx_bytes").GetUInt64());
        Assert.Equal(2ul, e.GetProperty("retrans_segs").GetUInt64());
        Assert.Equal(3ul, e.GetProperty("zero_window_received").GetUInt64());
        Assert.Equal(rtt.P50!.Value.TotalMilliseconds, e.GetProperty("rtt_p50_ms").GetDouble(), 6);
        Assert.InRange(e.GetProperty("rtt_p50_ms").GetDouble(), 2 * 0.968, 2 * 1.032);
        Assert.Equal(2.2, e.GetProperty("rtt_mean_ms").GetDouble(), 6);
        Assert.Equal(4.0, e.GetProperty("rtt_max_ms").GetDouble(), 6);
        Assert.Equal(1.5, e.GetProperty("handshake_rtt_ms").GetDouble(), 6);
        Assert.Equal("established", e.GetProperty("outcome").GetString());
        Assert.Equal("tcp", e.GetProperty("proto").GetString());
    }

    [Fact]
    public void Json_writes_ipv6_endpoints_in_brackets_and_unmeasured_rtt_as_null()
    {
        var e = Json(Flow("[fd00::1]:40000", "[fd00::2]:443", 1));
        Assert.Equal("[fd00::1]:40000", e.GetProperty("src").GetString());
        Assert.Equal("[fd00::2]:443", e.GetProperty("dst").GetString());
        Assert.Equal(JsonValueKind.Null, e.GetProperty("rtt_min_ms").ValueKind);
        Assert.Equal(0ul, e.GetProperty("rtt_samples").GetUInt64());
    }

    [Fact]
    public void Table_sorts_by_bytes_and_says_how_many_rows_were_cut()
    {
        var flows = new[]
        {
            Flow("10.0.0.1:1", "10.0.0.2:80", 100),
            Flow("10.0.0.1:2", "10.0.0.2:80", 900_000),
            Flow("10.0.0.1:3", "10.0.0.2:80", 5_000),
        };
        var lines = FlowTable.Render(flows, maxRows: 2).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("IFACE", lines[0]);
        Assert.Contains("10.0.0.1:2 ", lines[1]);
        Assert.Contains("10.0.0.1:3 ", lines[2]);
        Assert.Equal("... 1 more flows", lines[3]);
    }

    [Theory]
    [InlineData(0ul, "0B")]
    [InlineData(1023ul, "1023B")]
    [InlineData(1536ul, "1.5KiB")]
    [InlineData(5ul * 1024 * 1024 * 1024, "5.0GiB")]
    public void Bytes_use_binary_units(ulong bytes, string expected) => Assert.Equal(expected, FlowTable.Bytes(bytes));

    [Fact]
    public void Milliseconds_show_a_dash_when_not_measured() => Assert.Equal("-", FlowTable.Ms(null));
}
