namespace TcpHealth.Bpf;

/// <summary>Map names in tcphealth.bpf.o (also the keys for <see cref="BpfObject.Load"/>'s maxEntries).</summary>
public static class MapNames
{
    /// <summary><see cref="FlowKey"/> → <see cref="Flow"/>.</summary>
    public const string Flows = "flows";

    /// <summary><see cref="FlowKey"/> → <see cref="RttHist"/>.</summary>
    public const string RttHists = "rtt_hists";

    /// <summary><see cref="TsKey"/> → u64 send time (ns).</summary>
    public const string PendingTs = "pending_ts";

    /// <summary>Per-CPU u64 array indexed by <see cref="DatapathCounter"/>.</summary>
    public const string Counters = "counters";
}
