using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>
/// struct th_dir_stats (40 bytes): one direction of a flow. Counters are monotonic;
/// the 32-bit ones wrap and are widened by user space between reads (FlowHistory).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct DirStats
{
    /// <summary>IP bytes as on the wire (headers of every segment).</summary>
    public ulong Bytes;

    /// <summary>Packets as seen by the hook (a GSO/GRO skb is one).</summary>
    public uint Packets;

    /// <summary>Wire segments (gso_segs).</summary>
    public uint Segments;

    /// <summary>Segments whose sequence space ends at or below SeqEndMax.</summary>
    public uint RetransSegs;
    public uint Resets;

    /// <summary>Advertisements going from non-zero to zero window.</summary>
    public uint ZeroWindows;

    /// <summary>Highest seq + len (+SYN/FIN) sent in this direction.</summary>
    public uint SeqEndMax;

    /// <summary>TX: last TSval timestamped; RX: last TSecr looked up.</summary>
    public uint LastTs;
    public DirFlags Flags;
}
