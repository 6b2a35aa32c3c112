using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>
/// struct th_rtt_hist (432 bytes): a flow's RTT samples, exact count/sum/min/max and
/// log-linear buckets, <see cref="Abi.RttSubBuckets"/> per power of two over
/// <see cref="Abi.RttOctaves"/> octaves starting at 2^BaseOctave ns.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct RttHist
{
    /// <summary>Samples: timestamp echoes or ICMP echo replies matched.</summary>
    public ulong Count;
    public ulong SumNs;
    public ulong MinNs;
    public ulong MaxNs;

    /// <summary>Window starts at 2^BaseOctave ns; 0 = unset.</summary>
    public uint BaseOctave;

    /// <summary>Samples below the window.</summary>
    public uint Below;

    /// <summary>Samples at or above the window's end.</summary>
    public uint Above;
    public uint Pad;
    public fixed uint Buckets[Abi.RttBuckets];

    /// <summary>The buckets as a span (bucket i covers octave BaseOctave + i / 16, sub-bucket i % 16).</summary>
    [UnscopedRef]
    public Span<uint> AsSpan() => MemoryMarshal.CreateSpan(ref Buckets[0], Abi.RttBuckets);
}
