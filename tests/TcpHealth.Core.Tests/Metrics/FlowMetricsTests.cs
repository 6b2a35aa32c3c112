using System.Collections.Concurrent;
using System.Net;
using TcpHealth.Bpf;
using TcpHealth.Core.Flows;
using TcpHealth.Core.Metrics;

namespace TcpHealth.Core.Tests.Metrics;

public class FlowMetricsTests
{
    private static readonly double[] Bounds = [0.001, 0.005, 0.01, 0.025, 0.1, 1];
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    // 10.0.1.x is zone a, 10.0.2.x zone b; 10.0.9.x is monitored (has its own agent).
    private static EndpointLabels Resolve(IPAddress a)
    {
        var b = a.GetAddressBytes();
        string zone = b[2] switch { 1 => "zone-a", 2 => "zone-b", 3 => "zone-a", _ => "unknown" };
        return new EndpointLabels("ns" + b[2], "w" + b[3], zone);
    }

    private static FlowMetrics Metrics(int budget = 100, TimeSpan? ttl = null) =>
        new(Resolve, a => a.GetAddressBytes()[2] == 9, Bounds, budget, ttl ?? TimeSpan.FromMinutes(10));

    private static readonly DirectionCounters None = new(0, 0, 0, 0, 0, 0);

    private static DirectionCounters Dir(ulong bytes, ulong segs = 1, ulong retrans = 0, ulong resets = 0, ulong zw = 0) =>
        new(bytes, segs, segs, retrans, resets, zw);

    private static FlowSnapshot Flow(string src, string dst, DirectionCounters tx, DirectionCounters rx, ulong firstSeen = 1,
        RttSummary? rtt = null, TimeSpan? handshake = null, ConnectionOutcome outcome = ConnectionOutcome.Unknown,
        ConnectionInitiator initiator = ConnectionInitiator.Unknown) =>
        new("eth0", IPEndPoint.Parse(src), IPEndPoint.Parse(dst), 6, tx, rx, rtt ?? RttSummary.Empty, handshake, outcome,
            TimeSpan.Zero, TimeSpan.Zero) { FirstSeenNs = firstSeen, Initiator = initiator, Id = IdOf(src, dst) };

    // FlowHistory numbers each kernel entry; here one number per pair of endpoints.
    private static readonly ConcurrentDictionary<string, ulong> Ids = new();

    private static ulong IdOf(string src, string dst) => Ids.GetOrAdd($"{src} > {dst}", _ => (ulong)Ids.Count + 1);

    private static DatapathSnapshot Snap(params FlowSnapshot[] flows) =>
        new(T0, flows, new DatapathCounters(new ulong[Abi.CounterCount]), 1000);

    private static TrafficSeries Series(FlowMetrics m, string src, string dst)
    {
        var s = Resolve(IPAddress.Parse(src));
        var d = Resolve(IPAddress.Parse(dst));
        return m.Traffic.Entries.Single(kv => kv.Key == new TrafficKey(new TrafficLabels(s.Namespace, s.Workload, s.Zone, d.Namespace, d.Workload, d.Zone), "tcp")).Value;
    }

    [Fact]
    public void Flows_with_the_same_name_and_endpoints_but_two_ids_are_counted_apart()
    {
        // A veth deleted and created again under its name: the old entry idles out
        // in the table while the new one (another interface index, so another id)
        // carries on; neither must restart the other.
        var m = Metrics();
        var old = Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(100), None, firstSeen: 1) with { InterfaceIndex = 7, Id = 1007 };
        var renewed = Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(40), None, firstSeen: 2) with { InterfaceIndex = 9, Id = 1009 };
        m.Observe(Snap(old), T0);
        m.Observe(Snap(old, renewed), T0.AddSeconds(5));
        m.Observe(Snap(old, renewed with { Tx = Dir(60) }), T0.AddSeconds(10));
        Assert.Equal(160ul, Series(m, "10.0.1.1", "10.0.1.2").Bytes);
    }

    [Fact]
    public void Adds_only_what_grew_since_the_last_read()
    {
        var m = Metrics();
        m.Observe(Snap(Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(100, 2), Dir(50))), T0);
        m.Observe(Snap(Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(300, 5, retrans: 1), Dir(80))), T0.AddSeconds(5));

        var tx = Series(m, "10.0.1.1", "10.0.1.2");
        Assert.Equal(300ul, tx.Bytes);
        Assert.Equal(5ul, tx.Packets);
        Assert.Equal(1ul, tx.RetransmittedSegments);
        Assert.Equal(80ul, Series(m, "10.0.1.2", "10.0.1.1").Bytes);
    }

    [Fact]
    public void A_recreated_flow_counts_from_zero_and_an_expired_flows_last_read_is_kept()
    {
        var m = Metrics();
        m.Observe(Snap(Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(100), None, firstSeen: 1)), T0);
        m.Observe(Snap() with { Expired = [Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(150), None, firstSeen: 1)] }, T0.AddSeconds(1));
        Assert.Equal(0, m.TrackedFlows);
        m.Observe(Snap(Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(40), None, firstSeen: 99)), T0.AddSeconds(2));

        Assert.Equal(190ul, Series(m, "10.0.1.1", "10.0.1.2").Bytes);
    }

    [Fact]
    public void Traffic_from_a_monitored_peer_is_left_to_its_own_agent()
    {
        var m = Metrics();
        m.Observe(Snap(Flow("10.0.1.1:1000", "10.0.9.5:80", Dir(100), Dir(700))), T0);

        Assert.Equal(100ul, Series(m, "10.0.1.1", "10.0.9.5").Bytes);
        Assert.DoesNotContain(m.Traffic.Entries, kv => kv.Key.Labels.SrcWorkload == "w5");
    }

    [Fact]
    public void Cross_zone_bytes_only_between_two_known_different_zones()
    {
        var m = Metrics();
        m.Observe(Snap(
            Flow("10.0.1.1:1000", "10.0.2.2:80", Dir(100), Dir(30)),   // a -> b: cross
            Flow("10.0.1.1:1001", "10.0.3.3:80", Dir(200), None),    // a -> a: same zone
            Flow("10.0.1.1:1002", "10.0.7.7:80", Dir(400), None)),   // a -> unknown
            T0);

        Assert.Equal(100ul, Series(m, "10.0.1.1", "10.0.2.2").CrossZoneBytes);
        Assert.Equal(30ul, Series(m, "10.0.2.2", "10.0.1.1").CrossZoneBytes);
        Assert.Equal(0ul, Series(m, "10.0.1.1", "10.0.3.3").CrossZoneBytes);
        Assert.Equal(0ul, Series(m, "10.0.1.1", "10.0.7.7").CrossZoneBytes);
    }

    [Fact]
    public void New_label_sets_beyond_the_budget_fold_into_overflow_and_are_counted()
    {
        var m = Metrics(budget: 2);
        m.Observe(Snap(
            Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None),
            Flow("10.0.1.1:2", "10.0.1.3:80", Dir(2), None),
            Flow("10.0.1.1:3", "10.0.1.4:80", Dir(4), None),
            Flow("10.0.1.1:4", "10.0.1.5:80", Dir(8), None)),
            T0);

        Assert.Equal(3, m.Traffic.Count);
        Assert.Equal(2ul, m.Traffic.Overflowed);
        Assert.Equal(12ul, m.Traffic.Entries.Single(kv => kv.Key == new TrafficKey(TrafficLabels.Overflow, "tcp")).Value.Bytes);
    }

    [Fact]
    public void Series_without_updates_for_the_ttl_are_dropped()
    {
        var m = Metrics(ttl: TimeSpan.FromMinutes(1));
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None)), T0);
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None)), T0.AddSeconds(30));
        Assert.Equal(1, m.Traffic.Count); // an unchanged flow does not refresh its series ...
        m.Observe(Snap(), T0.AddSeconds(61));
        Assert.Equal(0, m.Traffic.Count); // ... and it is gone after the TTL
    }

    [Fact]
    public void Rtt_samples_land_in_the_prometheus_bucket_holding_them_with_the_exact_sum()
    {
        var m = Metrics();
        // The kernel's window starts at 2^22 ns (4.19 ms) for a first sample of 12 ms,
        // so a 4 ms sample is counted "below" and placed at the flow's min.
        int anchor = RttHistogram.AnchorFor(12_000_000);
        Assert.Equal(-1, RttHistogram.BucketOf(anchor, 4_000_000));
        var buckets = new uint[RttHistogram.BucketCount];
        buckets[RttHistogram.BucketOf(anchor, 12_000_000)] = 3;
        var h = new RttHistogram(anchor, 1, 0, buckets, 4_000_000, 12_000_000);
        var rtt = new RttSummary(4, 40_000_000, h.MinNs, h.MaxNs, h);
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None, rtt: rtt)), T0);

        var series = Assert.Single(m.Rtt.Entries).Value;
        Assert.Equal(1ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.004)]);
        Assert.Equal(3ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.012)]);
        Assert.Equal(4ul, (ulong)series.Counts.Sum(c => (long)c));
        Assert.Equal(0.040, series.Sum, 9);

        // A read with no new sample adds nothing.
        var none = new RttHistogram(anchor, 0, 0, new uint[RttHistogram.BucketCount], 4_000_000, 12_000_000);
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None, rtt: rtt with { Histogram = none })), T0.AddSeconds(1));
        Assert.Equal(4ul, (ulong)Assert.Single(m.Rtt.Entries).Value.Counts.Sum(c => (long)c));
        Assert.Equal(0.040, series.Sum, 9);
    }

    [Fact]
    public void Each_read_adds_the_samples_of_every_kernel_bucket_first_and_last_included()
    {
        // The window starts at 2^19 ns: bucket midpoints run from 0.54 to 32 ms, and the buckets
        // taken from below land in four different Prometheus buckets.
        var m = Metrics();
        int anchor = RttHistogram.AnchorFor(2_000_000);
        var buckets = new uint[RttHistogram.BucketCount];
        var f = Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None);
        ulong count = 0, read = 0;
        void Read(params (int Bucket, uint Add)[] adds)
        {
            var taken = new uint[RttHistogram.BucketCount];
            foreach (var (b, add) in adds)
            {
                taken[b] += add;
                buckets[b] += add;
                count += add;
            }
            var h = new RttHistogram(anchor, 0, 0, taken, RttHistogram.BucketLowerBound(anchor, 0), RttHistogram.BucketUpperBound(anchor, RttHistogram.BucketCount - 1));
            m.Observe(Snap(f with { Tx = Dir(++read), Rtt = new RttSummary(count, 0, h.MinNs, h.MaxNs, h) }), T0.AddSeconds(read));
        }

        Read((0, 2), (40, 1));
        Read((0, 1), (60, 3), (RttHistogram.BucketCount - 1, 4));
        Read((RttHistogram.BucketCount - 1, 1));

        var expected = new ulong[Bounds.Length + 1];
        for (int i = 0; i < RttHistogram.BucketCount; i++)
        {
            double mid = (RttHistogram.BucketLowerBound(anchor, i) + RttHistogram.BucketUpperBound(anchor, i)) / 2e9;
            expected[HistogramSeries.BucketIndex(Bounds, mid)] += buckets[i];
        }

        Assert.Equal(4, expected.Count(c => c != 0));
        Assert.Equal(expected, Assert.Single(m.Rtt.Entries).Value.Counts);
    }

    [Fact]
    public void A_kernel_bucket_whose_middle_is_past_the_flows_max_is_placed_at_the_max()
    {
        // The kernel bucket holding 4.99 ms is [4.98, 5.24) ms: its middle lies above the
        // 5 ms bound, but every sample in it is at most the flow's max, 4.99 ms.
        var m = Metrics();
        int anchor = RttHistogram.AnchorFor(4_990_000);
        int bucket = RttHistogram.BucketOf(anchor, 4_990_000);
        Assert.True((RttHistogram.BucketLowerBound(anchor, bucket) + RttHistogram.BucketUpperBound(anchor, bucket)) / 2e9 > 0.005);
        var buckets = new uint[RttHistogram.BucketCount];
        buckets[bucket] = 2;
        var rtt = new RttSummary(2, 9_980_000, 4_990_000, 4_990_000, new RttHistogram(anchor, 0, 0, buckets, 4_990_000, 4_990_000));
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None, rtt: rtt)), T0);

        var series = Assert.Single(m.Rtt.Entries).Value;
        Assert.Equal(2ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.00499)]);
        Assert.Equal(2ul, (ulong)series.Counts.Sum(c => (long)c));
    }

    [Fact]
    public void Samples_above_the_kernels_window_are_placed_by_the_exact_sum_and_only_one_at_a_new_max()
    {
        // A LAN flow: first echo 60 us, so the kernel's window ends near 2 ms. Then ten
        // echoes of 40 ms (delayed ACKs) and one of 300 ms arrive: all "above".
        var m = Metrics();
        int anchor = RttHistogram.AnchorFor(60_000);
        var buckets = new uint[RttHistogram.BucketCount];
        buckets[RttHistogram.BucketOf(anchor, 60_000)] = 5;
        var none = new uint[RttHistogram.BucketCount];
        RttSummary Rtt(ulong samples, uint[] taken, uint above, ulong max, ulong sum) =>
            new(samples, sum, 60_000, max, new RttHistogram(anchor, 0, above, taken, 60_000, max));
        var f = Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None);
        m.Observe(Snap(f with { Rtt = Rtt(5, buckets, 0, 60_000, 300_000) }), T0);
        m.Observe(Snap(f with { Tx = Dir(2), Rtt = Rtt(16, none, 11, 300_000_000, 300_000 + 10 * 40_000_000UL + 300_000_000) }), T0.AddSeconds(5));

        var series = Assert.Single(m.Rtt.Entries).Value;
        Assert.Equal(5ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.00006)]);
        Assert.Equal(10ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.040)]);
        Assert.Equal(1ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.300)]);
        Assert.Equal(0.7003, series.Sum, 9);

        // Five more of 40 ms; the max stands, so all five go where the sum puts them.
        m.Observe(Snap(f with { Tx = Dir(3), Rtt = Rtt(21, none, 5, 300_000_000, 300_000 + 15 * 40_000_000UL + 300_000_000) }), T0.AddSeconds(10));
        Assert.Equal(15ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.040)]);
        Assert.Equal(1ul, series.Counts[HistogramSeries.BucketIndex(Bounds, 0.300)]);
    }

    [Fact]
    public void Handshake_and_connection_outcome_are_counted_once_from_initiator_to_responder()
    {
        var m = Metrics();
        var f = Flow("10.0.1.1:5000", "10.0.2.2:443", Dir(1), Dir(1), handshake: TimeSpan.FromMilliseconds(3),
            outcome: ConnectionOutcome.Established, initiator: ConnectionInitiator.Destination);
        m.Observe(Snap(f), T0);
        m.Observe(Snap(f), T0.AddSeconds(1));

        var conn = Assert.Single(m.Connections.Entries);
        Assert.Equal("established", conn.Key.Outcome);
        Assert.Equal("zone-b", conn.Key.Labels.SrcZone); // the remote side opened it
        Assert.Equal(1ul, conn.Value.Value);
        var hs = Assert.Single(m.HandshakeRtt.Entries).Value;
        Assert.Equal(1ul, hs.Counts[HistogramSeries.BucketIndex(Bounds, 0.003)]);
    }

    [Fact]
    public void A_new_connection_on_the_same_addresses_and_ports_is_counted_with_its_own_handshake()
    {
        var m = Metrics();
        var first = Flow("10.0.1.1:5000", "10.0.2.2:443", Dir(1), Dir(1), handshake: TimeSpan.FromMilliseconds(3),
            outcome: ConnectionOutcome.Established, initiator: ConnectionInitiator.Source) with { Connection = 1 };
        m.Observe(Snap(first), T0);
        m.Observe(Snap(first with { Tx = Dir(5) }), T0.AddSeconds(5));
        m.Observe(Snap(first with { Tx = Dir(9), HandshakeRtt = TimeSpan.FromMilliseconds(20), Connection = 2 }), T0.AddSeconds(10));

        Assert.Equal(2ul, Assert.Single(m.Connections.Entries).Value.Value);
        var hs = Assert.Single(m.HandshakeRtt.Entries).Value;
        Assert.Equal(1ul, hs.Counts[HistogramSeries.BucketIndex(Bounds, 0.003)]);
        Assert.Equal(1ul, hs.Counts[HistogramSeries.BucketIndex(Bounds, 0.020)]);
    }

    [Fact]
    public void Protocols_get_their_own_series_and_overflow_keeps_the_protocol()
    {
        var m = Metrics(budget: 1);
        var udp = Flow("10.0.1.1:53000", "10.0.1.2:53", Dir(100), None) with { Protocol = 17 };
        var icmp = Flow("10.0.1.1:7", "10.0.1.2:7", Dir(84), None) with { Protocol = 58 };
        var tcp = Flow("10.0.1.1:1", "10.0.1.2:80", Dir(40), None);
        m.Observe(Snap(udp, icmp, tcp), T0);

        Assert.Equal(100ul, m.Traffic.Entries.Single(kv => kv.Key.Protocol == "udp").Value.Bytes);
        var folded = m.Traffic.Entries.Where(kv => kv.Key.Labels == TrafficLabels.Overflow).Select(kv => kv.Key.Protocol).Order().ToArray();
        Assert.Equal(["icmp", "tcp"], folded); // budget 1: the second and third label sets fold, each under its protocol
        Assert.Equal(2ul, m.Traffic.Overflowed);
        Assert.Equal("other", TrafficKey.ProtocolLabel(47));
    }

    [Fact]
    public void A_handshake_that_times_out_is_counted_although_its_counters_stand_still()
    {
        var m = Metrics();
        var syn = Flow("10.0.1.1:5000", "10.0.2.2:443", Dir(60), None, outcome: ConnectionOutcome.Pending, initiator: ConnectionInitiator.Source);
        m.Observe(Snap(syn), T0);
        m.Observe(Snap(syn), T0.AddSeconds(5));
        Assert.Empty(m.Connections.Entries);

        m.Observe(Snap(syn with { Outcome = ConnectionOutcome.NoAnswer }), T0.AddSeconds(10));

        var conn = Assert.Single(m.Connections.Entries);
        Assert.Equal("no_answer", conn.Key.Outcome);
        Assert.Equal(1ul, conn.Value.Value);
        Assert.Equal(60ul, Series(m, "10.0.1.1", "10.0.2.2").Bytes);
    }

    [Fact]
    public void A_handshake_rtt_is_reported_even_when_it_arrives_without_counter_changes()
    {
        var m = Metrics();
        var f = Flow("10.0.1.1:5000", "10.0.2.2:443", Dir(60), Dir(60));
        m.Observe(Snap(f), T0);
        m.Observe(Snap(f with { HandshakeRtt = TimeSpan.FromMilliseconds(3) }), T0.AddSeconds(5));

        Assert.Equal(1ul, Assert.Single(m.HandshakeRtt.Entries).Value.Counts[HistogramSeries.BucketIndex(Bounds, 0.003)]);
    }

    [Fact]
    public void A_flow_that_vanished_without_an_expiry_read_is_forgotten_after_ten_minutes()
    {
        var m = Metrics();
        var a = Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(100), Dir(50));
        var b = Flow("10.0.1.1:1001", "10.0.1.2:80", Dir(100), Dir(50));
        m.Observe(Snap(a, b), T0);

        m.Observe(Snap(a), T0.AddMinutes(5));
        m.Observe(Snap(a), T0.AddMinutes(10));
        Assert.Equal(2, m.TrackedFlows);
        m.Observe(Snap(a), T0.AddMinutes(11));
        Assert.Equal(1, m.TrackedFlows);
    }

    [Fact]
    public void A_flow_read_again_unchanged_stays_followed_and_later_adds_only_its_growth()
    {
        var m = Metrics();
        var f = Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(100), Dir(50));
        for (int minute = 0; minute <= 30; minute += 5)
            m.Observe(Snap(f), T0.AddMinutes(minute));
        Assert.Equal(1, m.TrackedFlows); // not forgotten as vanished: it was read every time

        m.Observe(Snap(f with { Tx = Dir(130) }), T0.AddMinutes(31));
        Assert.Equal(30ul, Series(m, "10.0.1.1", "10.0.1.2").Bytes); // its series expired meanwhile (TTL); the flow's cursor did not
    }

    [Fact]
    public void New_rtt_samples_are_added_whatever_the_traffic_counters_did()
    {
        var m = Metrics();
        int anchor = RttHistogram.AnchorFor(12_000_000);
        RttSummary Rtt(ulong total, uint taken)
        {
            var buckets = new uint[RttHistogram.BucketCount];
            buckets[RttHistogram.BucketOf(anchor, 12_000_000)] = taken;
            return new(total, total * 12_000_000, 12_000_000, 12_000_000, new RttHistogram(anchor, 0, 0, buckets, 12_000_000, 12_000_000));
        }
        var f = Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None, rtt: Rtt(1, 1));
        m.Observe(Snap(f), T0);
        m.Observe(Snap(f with { Rtt = Rtt(3, 2) }), T0.AddSeconds(5));

        Assert.Equal(3ul, Assert.Single(m.Rtt.Entries).Value.Counts[HistogramSeries.BucketIndex(Bounds, 0.012)]);
    }

    [Fact]
    public void Labels_are_resolved_again_after_the_identities_changed()
    {
        string zone = "zone-a";
        bool monitored = false;
        var m = new FlowMetrics(a => new EndpointLabels("ns", "w" + a.GetAddressBytes()[3], zone), _ => monitored, Bounds, 100, TimeSpan.FromMinutes(10));
        m.Observe(Snap(Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(100), Dir(10))), T0);

        zone = "zone-b";
        monitored = true;
        m.IdentitiesChanged();
        m.Observe(Snap(Flow("10.0.1.1:1000", "10.0.1.2:80", Dir(150), Dir(30))), T0.AddSeconds(5));

        ulong Bytes(string srcWorkload, string srcZone) =>
            m.Traffic.Entries.Single(kv => kv.Key.Labels.SrcWorkload == srcWorkload && kv.Key.Labels.SrcZone == srcZone).Value.Bytes;
        Assert.Equal(100ul, Bytes("w1", "zone-a"));
        Assert.Equal(50ul, Bytes("w1", "zone-b"));
        Assert.Equal(10ul, Bytes("w2", "zone-a"));
        Assert.DoesNotContain(m.Traffic.Entries, kv => kv.Key.Labels is { SrcWorkload: "w2", SrcZone: "zone-b" }); // now monitored
    }

    [Fact]
    public void A_flow_keeps_adding_to_its_series_after_the_ttl_dropped_and_recreated_it()
    {
        var m = Metrics(ttl: TimeSpan.FromMinutes(1));
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(10), None)), T0);
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(10), None)), T0.AddMinutes(2)); // idle: its series expires
        Assert.Equal(0, m.Traffic.Count);

        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(15), None)), T0.AddMinutes(3));
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(25), None)), T0.AddMinutes(4));
        Assert.Equal(15ul, Series(m, "10.0.1.1", "10.0.1.2").Bytes);
    }

    [Fact]
    public void A_flow_folded_into_overflow_is_counted_on_every_update_and_gets_its_own_series_once_there_is_room()
    {
        var m = Metrics(budget: 1, ttl: TimeSpan.FromMinutes(1));
        m.Observe(Snap(Flow("10.0.1.1:1", "10.0.1.2:80", Dir(1), None), Flow("10.0.1.1:2", "10.0.1.3:80", Dir(2), None)), T0);
        m.Observe(Snap(Flow("10.0.1.1:2", "10.0.1.3:80", Dir(5), None)), T0.AddSeconds(40));
        Assert.Equal(2ul, m.Traffic.Overflowed);
        Assert.Equal(5ul, m.Traffic.Entries.Single(kv => kv.Key.Labels == TrafficLabels.Overflow).Value.Bytes);

        // The first flow's series expires; the second one's next update takes the free slot.
        m.Observe(Snap(), T0.AddSeconds(90));
        m.Observe(Snap(Flow("10.0.1.1:2", "10.0.1.3:80", Dir(9), None)), T0.AddSeconds(95));
        Assert.Equal(4ul, Series(m, "10.0.1.1", "10.0.1.3").Bytes);
        Assert.Equal(2ul, m.Traffic.Overflowed);
    }

    [Fact]
    public void Bucket_index_puts_a_value_on_a_bound_in_that_bucket()
    {
        Assert.Equal(0, HistogramSeries.BucketIndex(Bounds, 0.001));
        Assert.Equal(1, HistogramSeries.BucketIndex(Bounds, 0.0011));
        Assert.Equal(Bounds.Length, HistogramSeries.BucketIndex(Bounds, 5));
    }
}
