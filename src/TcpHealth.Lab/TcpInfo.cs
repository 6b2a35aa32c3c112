using System.Buffers.Binary;
using System.Net.Sockets;

namespace TcpHealth.Lab;

/// <summary>
/// The kernel's own view of a TCP socket (getsockopt TCP_INFO): the ground truth the
/// exporter's passive measurements are compared with.
/// </summary>
public readonly record struct TcpInfo(
    byte State,
    uint RttMicros,
    uint RttVarMicros,
    uint MinRttMicros,
    uint TotalRetrans,
    ulong BytesAcked,
    ulong BytesReceived,
    uint SegsOut,
    uint SegsIn)
{
    private const int IPPROTO_TCP = 6;
    private const int TCP_INFO = 11;

    // Offsets in struct tcp_info, verified with offsetof() against <linux/tcp.h> on
    // Debian 12 (kernel 6.18 headers); sizeof(struct tcp_info) = 232 there. The struct
    // only grows at its end, so these are stable.
    private const int OffState = 0;          // __u8  tcpi_state
    private const int OffRtt = 68;           // __u32 tcpi_rtt (µs, smoothed)
    private const int OffRttVar = 72;        // __u32 tcpi_rttvar
    private const int OffTotalRetrans = 100; // __u32 tcpi_total_retrans
    private const int OffBytesAcked = 120;   // __u64 tcpi_bytes_acked
    private const int OffBytesReceived = 128;// __u64 tcpi_bytes_received
    private const int OffSegsOut = 136;      // __u32 tcpi_segs_out
    private const int OffSegsIn = 140;       // __u32 tcpi_segs_in
    private const int OffMinRtt = 148;       // __u32 tcpi_min_rtt (µs, windowed min)
    private const int MinLength = OffMinRtt + 4;

    public TimeSpan MinRtt => TimeSpan.FromMicroseconds(MinRttMicros);
    public TimeSpan Rtt => TimeSpan.FromMicroseconds(RttMicros);

    /// <summary>Reads TCP_INFO of a connected (or listening) TCP socket.</summary>
    public static TcpInfo Read(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> buf = stackalloc byte[256];
        int n = socket.GetRawSocketOption(IPPROTO_TCP, TCP_INFO, buf);
        if (n < MinLength) throw new InvalidOperationException($"TCP_INFO returned {n} bytes, need {MinLength}");
        return new TcpInfo(
            buf[OffState],
            U32(buf, OffRtt),
            U32(buf, OffRttVar),
            U32(buf, OffMinRtt),
            U32(buf, OffTotalRetrans),
            BinaryPrimitives.ReadUInt64LittleEndian(buf[OffBytesAcked..]),
            BinaryPrimitives.ReadUInt64LittleEndian(buf[OffBytesReceived..]),
            U32(buf, OffSegsOut),
            U32(buf, OffSegsIn));
    }

    private static uint U32(ReadOnlySpan<byte> b, int off) => BinaryPrimitives.ReadUInt32LittleEndian(b[off..]);
}
