using System.Buffers;
using System.Text.Json;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Cli;

/// <summary>
/// `tcphealth watch --json`: one JSON object per flow per line (JSON Lines),
/// field names as documented in the README. Times are milliseconds; a value
/// that was not measured is null.
/// </summary>
public static class FlowJsonWriter
{
    public static void WriteLine(IBufferWriter<byte> output, FlowSnapshot f, DateTimeOffset timestamp)
    {
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            w.WriteString("ts", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("iface", f.Interface);
            w.WriteString("proto", ProtocolNames.Of(f.Protocol));
            w.WriteString("src", f.Source.ToString());
            w.WriteString("dst", f.Destination.ToString());
            w.WriteNumber("rtt_samples", f.Rtt.Samples);
            WriteMs(w, "rtt_min_ms", f.Rtt.Min);
            WriteMs(w, "rtt_p50_ms", f.Rtt.P50);
            WriteMs(w, "rtt_p99_ms", f.Rtt.P99);
            WriteMs(w, "rtt_max_ms", f.Rtt.Max);
            WriteMs(w, "rtt_mean_ms", f.Rtt.Mean);
            WriteMs(w, "handshake_rtt_ms", f.HandshakeRtt);
            bool tcp = f.Protocol == 6;
            if (tcp)
                w.WriteString("outcome", OutcomeName(f.Outcome));
            else
                w.WriteNull("outcome");
            w.WriteNumber("tx_bytes", f.Tx.Bytes);
            w.WriteNumber("rx_bytes", f.Rx.Bytes);
            w.WriteNumber("tx_packets", f.Tx.Packets);
            w.WriteNumber("rx_packets", f.Rx.Packets);
            w.WriteNumber("tx_segments", f.Tx.Segments);
            w.WriteNumber("rx_segments", f.Rx.Segments);
            // TCP-only counters are null for other protocols, not a misleading 0.
            WriteTcpCount(w, "retrans_segs", tcp, f.Tx.RetransmittedSegments);
            WriteTcpCount(w, "rx_retrans_segs", tcp, f.Rx.RetransmittedSegments);
            WriteTcpCount(w, "resets_sent", tcp, f.Tx.Resets);
            WriteTcpCount(w, "resets_received", tcp, f.Rx.Resets);
            WriteTcpCount(w, "zero_window_sent", tcp, f.Tx.ZeroWindows);
            WriteTcpCount(w, "zero_window_received", tcp, f.Rx.ZeroWindows);
            w.WriteNumber("age_s", Math.Round(f.Age.TotalSeconds, 3));
            w.WriteEndObject();
        }
        output.Write("\n"u8);
    }

    public static string OutcomeName(ConnectionOutcome o) => o switch
    {
        ConnectionOutcome.Pending => "pending",
        ConnectionOutcome.Established => "established",
        ConnectionOutcome.Refused => "refused",
        ConnectionOutcome.NoAnswer => "no_answer",
        _ => "unknown",
    };

    private static void WriteTcpCount(Utf8JsonWriter w, string name, bool tcp, ulong value)
    {
        if (tcp)
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    private static void WriteMs(Utf8JsonWriter w, string name, TimeSpan? value)
    {
        if (value is { } v)
            w.WriteNumber(name, Math.Round(v.TotalMilliseconds, 4));
        else
            w.WriteNull(name);
    }
}
