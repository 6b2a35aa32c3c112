using System.Net;
using TcpHealth.Bpf;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Tests.Flows;

public class FlowSnapshotBuilderTests
{
    private static readonly FlowKey Key = FlowKey.Create(IPAddress.Parse("10.0.0.1"), 40000, IPAddress.Parse("10.0.0.2"), 443, 7);
    private const ulong Second = 1_000_000_000;

    // Counters come widened from a FlowHistory, as in the datapath session; idle is a given.
    private static FlowSnapshot Build(Flow f, RttHist? h = null, ulong now = 100 * Second, ulong firstSeen = 90 * Second) =>
        FlowSnapshotBuilder.Build(Key, f, h is { } r ? [r] : [], h is null ? -1 : 0, now, Reading(f, now, firstSeen) with { Idle = TimeSpan.FromSeconds(1) }, TimeSpan.FromSeconds(10));

    private static FlowReading Reading(Flow f, ulong now, ulong firstSeen)
    {
        var history = new FlowHistory();
        history.Add(0, Key, firstSeen, _ => "eth0");
        return history.Observe(0, f, now);
    }

    [Fact]
    public void Keeps_the_keys_orientation_and_both_directions()
    {
        var f = new Flow();
        f.Tx.Bytes = 1000;
        f.Tx.RetransSegs = 3;
        f.Rx.Bytes = 200;
        f.Rx.Resets = 1;
        var s = Build(f);
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:40000"), s.Source);
        Assert.Equal(IPEndPoint.Parse("10.0.0.2:443"), s.Destination);
        Assert.Equal(1000ul, s.Tx.Bytes);
        Assert.Equal(3ul, s.Tx.RetransmittedSegments);
        Assert.Equal(200ul, s.Rx.Bytes);
        Assert.Equal(1ul, s.Rx.Resets);
        Assert.Equal(TimeSpan.FromSeconds(10), s.Age); // since the creation time the history got with the key
        Assert.Equal(90 * Second, s.FirstSeenNs);
        Assert.Equal(TimeSpan.FromSeconds(1), s.Idle);
        Assert.Equal(7u, s.InterfaceIndex);
        Assert.Equal(1ul, s.Id); // the history's number for the flow
    }

    [Fact]
    public void Rtt_mean_min_max_come_from_the_rtt_record_and_quantiles_from_its_histogram()
    {
        var f = new Flow();
        Assert.Equal(RttSummary.Empty, Build(f).Rtt); // no record: no RTT

        var h = new RttHist { Count = 4, SumNs = 4_400_000, MinNs = 1_000_000, MaxNs = 1_300_000 };
        var s = Build(f, h);
        Assert.Equal(TimeSpan.FromMilliseconds(1.1), s.Rtt.Mean);
        Assert.Equal(TimeSpan.FromMilliseconds(1), s.Rtt.Min);
        Assert.Null(s.Rtt.P50); // no histogram window yet: no quantiles, never invented ones

        h.BaseOctave = (uint)RttHistogram.AnchorFor(1_000_000);
        foreach (var ns in new ulong[] { 1_000_000, 1_100_000, 1_200_000, 1_300_000 })
            h.AsSpan()[RttHistogram.BucketOf((int)h.BaseOctave, ns)]++;
        var rtt = Build(f, h).Rtt;
        var untouched = rtt with { };
        Assert.InRange(rtt.P50!.Value.TotalMilliseconds, 1.1 * 0.95, 1.2 * 1.05);
        Assert.InRange(rtt.P99!.Value.TotalMilliseconds, 1.3 * 0.95, 1.3 * 1.05);
        Assert.Equal(untouched, rtt); // worked out when asked, not stored: asking changes nothing
    }

    [Theory]
    [InlineData(ConnState.SynSent, 95, "Pending")]
    [InlineData(ConnState.SynSent, 80, "NoAnswer")]
    [InlineData(ConnState.SynAckSent, 80, "NoAnswer")]
    [InlineData(ConnState.Established, 10, "Established")]
    [InlineData(ConnState.Refused, 10, "Refused")]
    [InlineData(ConnState.Unknown, 10, "Unknown")]
    public void Outcome_times_out_unanswered_handshakes(ConnState state, int startedAtSecond, string expected)
    {
        var f = new Flow { ConnState = state, HandshakeNs = (ulong)startedAtSecond * Second };
        Assert.Equal(Enum.Parse<ConnectionOutcome>(expected), Build(f, firstSeen: (ulong)startedAtSecond * Second).Outcome);
    }
}
