using System.Globalization;
using System.Text;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Cli;

/// <summary>
/// The live table of `tcphealth watch`: flows sorted by bytes, one line each,
/// RTT in milliseconds, counters cumulative over the flow's life. TCP-only
/// columns show "-" for other protocols.
/// </summary>
public static class FlowTable
{
    private static readonly string[] Headers =
    [
        "IFACE", "PROTO", "SRC", "DST", "RTT_MIN", "RTT_P50", "RTT_P99", "SAMPLES", "HS_RTT",
        "RETRANS", "RST_TX/RX", "ZWIN_TX/RX", "TX_BYTES", "RX_BYTES", "TX_PKTS", "RX_PKTS",
    ];

    public static string Render(IReadOnlyList<FlowSnapshot> flows, int maxRows)
    {
        var rows = new List<string[]> { Headers };
        foreach (var f in flows.OrderByDescending(f => f.TotalBytes).Take(maxRows))
        {
            bool tcp = f.Protocol == 6;
            rows.Add(
            [
                f.Interface,
                ProtocolNames.Of(f.Protocol),
                f.Source.ToString(),
                f.Destination.ToString(),
                Ms(f.Rtt.Min),
                Ms(f.Rtt.P50),
                Ms(f.Rtt.P99),
                f.Rtt.Samples.ToString(CultureInfo.InvariantCulture),
                Ms(f.HandshakeRtt),
                tcp ? f.Tx.RetransmittedSegments.ToString(CultureInfo.InvariantCulture) : "-",
                tcp ? $"{f.Tx.Resets}/{f.Rx.Resets}" : "-",
                tcp ? $"{f.Tx.ZeroWindows}/{f.Rx.ZeroWindows}" : "-",
                Bytes(f.Tx.Bytes),
                Bytes(f.Rx.Bytes),
                f.Tx.Packets.ToString(CultureInfo.InvariantCulture),
                f.Rx.Packets.ToString(CultureInfo.InvariantCulture),
            ]);
        }

        var widths = new int[Headers.Length];
        foreach (var row in rows)
            for (int i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);

        var sb = new StringBuilder();
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                // Text columns left-aligned, numbers right-aligned.
                sb.Append(i < 4 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                sb.Append(i == row.Length - 1 ? "\n" : "  ");
            }
        }
        if (flows.Count > maxRows)
            sb.Append(CultureInfo.InvariantCulture, $"... {flows.Count - maxRows} more flows\n");
        return sb.ToString();
    }

    /// <summary>Milliseconds with three significant decimals, "-" when not measured.</summary>
    public static string Ms(TimeSpan? value) =>
        value is { } v ? v.TotalMilliseconds.ToString(v.TotalMilliseconds < 10 ? "0.000" : "0.00", CultureInfo.InvariantCulture) : "-";

    /// <summary>Bytes in binary units (1 KiB = 1024 B).</summary>
    public static string Bytes(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return u == 0 ? $"{bytes}B" : v.ToString("0.0", CultureInfo.InvariantCulture) + units[u];
    }
}
