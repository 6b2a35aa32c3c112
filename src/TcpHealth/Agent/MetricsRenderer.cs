using System.Buffers;
using System.Reflection;
using TcpHealth.Agent.Web;
using TcpHealth.Bpf;
using TcpHealth.Core.Exposition;
using TcpHealth.Core.Metrics;

namespace TcpHealth.Agent;

/// <summary>
/// One /metrics body: the traffic families (a contract: the chart, the
/// dashboard and alerts use these names), the agent's own metrics and its
/// process_* cost.
/// </summary>
public sealed class MetricsRenderer(AgentState state) : IMetricsRenderer
{
    private static readonly string Version =
        typeof(MetricsRenderer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public string Render(IBufferWriter<byte> output, string? accept)
    {
        var format = ExpositionFormats.Negotiate(accept);
        List<MetricFamily> families;
        lock (state.Lock)
            families = Build();
        families.AddRange(ProcessMetrics.Read());
        ExpositionWriter.Write(output, families, format);
        return ExpositionFormats.ContentType(format);
    }

    private List<MetricFamily> Build()
    {
        var m = state.Metrics;
        var labels = TrafficLabels.Names;
        string[] withProtocol = [.. labels, "protocol"];
        var bounds = m.RttBucketBounds;

        var rtt = new MetricFamily("tcphealth_rtt_seconds", "Passive round-trip time of the path src -> dst -> src: TCP timestamp echoes and ICMP echoes.", MetricType.Histogram, withProtocol, bounds);
        foreach (var (k, h) in m.Rtt.Entries)
            rtt.AddHistogram([.. k.Labels.Values, k.Protocol], h.Counts, h.Sum);
        var handshake = new MetricFamily("tcphealth_handshake_rtt_seconds", "Round-trip time of the TCP handshake, measured on src's side.", MetricType.Histogram, labels, bounds);
        foreach (var (l, h) in m.HandshakeRtt.Entries)
            handshake.AddHistogram(l.Values, h.Counts, h.Sum);

        var bytes = new MetricFamily("tcphealth_bytes", "IP bytes sent from src to dst, headers of every segment included.", MetricType.Counter, withProtocol);
        var packets = new MetricFamily("tcphealth_packets", "Packets (wire segments) sent from src to dst.", MetricType.Counter, withProtocol);
        var crossZone = new MetricFamily("tcphealth_cross_zone_bytes", "IP bytes sent from src to dst in another availability zone (both zones known).", MetricType.Counter, withProtocol);
        var retrans = new MetricFamily("tcphealth_retransmitted_segments", "TCP segments src retransmitted to dst.", MetricType.Counter, labels);
        var resets = new MetricFamily("tcphealth_resets", "TCP resets src sent to dst.", MetricType.Counter, labels);
        var zeroWindow = new MetricFamily("tcphealth_zero_window", "Times src advertised a zero receive window to dst.", MetricType.Counter, labels);
        foreach (var (k, t) in m.Traffic.Entries)
        {
            string[] v = [.. k.Labels.Values, k.Protocol];
            bytes.AddCounter(v, t.Bytes);
            packets.AddCounter(v, t.Packets);
            // Cross-zone flows folded into overflow keep their bytes there: sums over zones stay whole.
            if (k.Labels.IsCrossZone || k.Labels == TrafficLabels.Overflow)
                crossZone.AddCounter(v, t.CrossZoneBytes);
            if (k.Protocol == TrafficKey.Tcp)
            {
                retrans.AddCounter(k.Labels.Values, t.RetransmittedSegments);
                resets.AddCounter(k.Labels.Values, t.Resets);
                zeroWindow.AddCounter(k.Labels.Values, t.ZeroWindows);
            }
        }

        var connections = new MetricFamily("tcphealth_connections", "TCP connections src opened to dst, by how the handshake ended.", MetricType.Counter, [.. labels, "outcome"]);
        foreach (var ((l, outcome), c) in m.Connections.Entries)
            connections.AddCounter([.. l.Values, outcome], c.Value);

        var families = new List<MetricFamily> { rtt, handshake, bytes, packets, retrans, resets, zeroWindow, connections, crossZone };
        families.AddRange(SelfMetrics());
        return families;
    }

    private IEnumerable<MetricFamily> SelfMetrics()
    {
        var m = state.Metrics;

        var flows = new MetricFamily("tcphealth_flows", "Flows in the kernel flow table.", MetricType.Gauge, []);
        flows.AddGauge([], state.FlowCount);
        var capacity = new MetricFamily("tcphealth_flow_capacity", "Capacity of the kernel flow table.", MetricType.Gauge, []);
        capacity.AddGauge([], state.FlowCapacity);

        var notTracked = new MetricFamily("tcphealth_datapath_not_tracked", "What the datapath could not keep because a map was full.", MetricType.Counter, ["what"]);
        var parseErrors = new MetricFamily("tcphealth_parse_errors", "Packets the datapath could not parse, by layer.", MetricType.Counter, ["layer"]);
        var seen = new MetricFamily("tcphealth_datapath_packets", "Packets the TC programs ran on.", MetricType.Counter, []);
        var samples = new MetricFamily("tcphealth_rtt_samples", "TCP timestamp echoes matched (every one, no sampling).", MetricType.Counter, []);
        var unannounced = new MetricFamily(
            "tcphealth_new_flows_unannounced", "New flows whose keys did not fit the ring buffer to the agent: read from the flow table whole instead (nothing lost, a slower collection).", MetricType.Counter, []);
        if (state.Counters is { } c)
        {
            notTracked.AddCounter(["flows"], c[DatapathCounter.FlowsNotTracked]);
            notTracked.AddCounter(["timestamps"], c[DatapathCounter.TsNotStored]);
            notTracked.AddCounter(["rtt_histograms"], c[DatapathCounter.RttHistNotTracked]);
            parseErrors.AddCounter(["l2"], c[DatapathCounter.ErrL2]);
            parseErrors.AddCounter(["ip"], c[DatapathCounter.ErrIp]);
            parseErrors.AddCounter(["ipv6_ext"], c[DatapathCounter.ErrIpv6Ext]);
            parseErrors.AddCounter(["tcp"], c[DatapathCounter.ErrTcp]);
            parseErrors.AddCounter(["tcp_options"], c[DatapathCounter.ErrTcpOpts]);
            parseErrors.AddCounter(["l4"], c[DatapathCounter.ErrL4]);
            seen.AddCounter([], c[DatapathCounter.Packets]);
            samples.AddCounter([], c[DatapathCounter.RttSamples]);
            unannounced.AddCounter([], c[DatapathCounter.NewFlowsLost]);
        }

        var overflow = new MetricFamily("tcphealth_series_overflow", "Updates that went to the overflow series because a family's series budget was reached (one per folded label set and collection).", MetricType.Counter, ["family"]);
        overflow.AddCounter(["traffic"], m.Traffic.Overflowed);
        overflow.AddCounter(["rtt"], m.Rtt.Overflowed);
        overflow.AddCounter(["handshake_rtt"], m.HandshakeRtt.Overflowed);
        overflow.AddCounter(["connections"], m.Connections.Overflowed);

        var interfaces = new MetricFamily("tcphealth_interfaces_attached", "Interfaces with both TC hooks attached.", MetricType.Gauge, []);
        interfaces.AddGauge([], state.InterfacesAttached);
        var duration = new MetricFamily("tcphealth_collection_duration_seconds", "How long the last collection took: reading the kernel maps and updating the metrics.", MetricType.Gauge, []);
        duration.AddGauge([], state.LastCollectionDuration.TotalSeconds);
        var errors = new MetricFamily("tcphealth_collection_errors", "Collections that failed (the reason is logged).", MetricType.Counter, []);
        errors.AddCounter([], state.CollectionErrors);
        var build = new MetricFamily("tcphealth_build_info", "Build of the running agent; always 1.", MetricType.Gauge, ["version", "dotnet"]);
        build.AddGauge([Version, Environment.Version.ToString()], 1);

        return [flows, capacity, notTracked, parseErrors, seen, samples, unannounced, overflow, interfaces, duration, errors, build];
    }
}
