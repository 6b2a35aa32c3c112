namespace TcpHealth.Bpf;

/// <summary>The #define constants of bpf/tcphealth.h (checked against the header by KernelAbiLayoutTests).</summary>
public static class Abi
{
    /// <summary>TH_DIR_TX / TH_DIR_RX: index of <see cref="Flow.Dir"/>.</summary>
    public const int DirTx = 0;
    public const int DirRx = 1;

    /// <summary>RTT histogram geometry: 2^RttSubBits buckets per power of two, RttOctaves powers of two.</summary>
    public const int RttSubBits = 4;
    public const int RttSubBuckets = 1 << RttSubBits;
    public const int RttOctaves = 6;
    public const int RttBuckets = RttOctaves * RttSubBuckets;

    /// <summary>Lowest window anchor: 2^10 ns.</summary>
    public const int RttMinOctave = 10;

    /// <summary>Flow.TsPending: the send time's low TsTimeBits (ns) over the TSval's low TsTsvalBits.</summary>
    public const int TsTimeBits = 40;
    public const int TsTsvalBits = 24;
    public const ulong TsTimeMask = (1UL << TsTimeBits) - 1;
    public const uint TsTsvalMask = (1U << TsTsvalBits) - 1;

    /// <summary>A pending timestamp older than this is not matched.</summary>
    public const ulong TsMaxAgeNs = 10_000_000_000;

    public const uint DefaultMaxFlows = 65536;

    /// <summary>Bytes of the `new_flows` ring buffer.</summary>
    public const int NewFlowsBytes = 256 * 1024;
    public const uint DefaultMaxRttFlows = 16384;
    public const uint DefaultMaxPendingTs = 16384;

    /// <summary>TH_CNT_MAX: number of entries of the `counters` map (one per <see cref="DatapathCounter"/>).</summary>
    public const int CounterCount = 16;
}
