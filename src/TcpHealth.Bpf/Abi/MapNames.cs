namespace TcpHealth.Bpf;

/// <summary>Map names in tcphealth.bpf.o (also the keys for <see cref="BpfObject.Load"/>'s maxEntries).</summary>
public static class MapNames
{
    /// <summary><see cref="FlowKey"/> → <see cref="Flow"/>.</summary>
    public const string Flows = "flows";

    /// <summary>
    /// Slot (<see cref="Flow.RttSlot"/> - 1) → <see cref="RttHist"/>: an array that can be
    /// mapped into memory (<see cref="BpfMap.MapArray{T}"/>).
    /// </summary>
    public const string RttHists = "rtt_hists";

    /// <summary>Queue of freed <see cref="RttHists"/> slots (u32), sized like it.</summary>
    public const string RttFreeSlots = "rtt_free_slots";

    /// <summary>One u64: how many <see cref="RttHists"/> slots the datapath ever handed out.</summary>
    public const string RttNextSlot = "rtt_next_slot";

    /// <summary><see cref="TsKey"/> → u64 send time (ns).</summary>
    public const string PendingTs = "pending_ts";

    /// <summary>Per-CPU u64 array indexed by <see cref="DatapathCounter"/>.</summary>
    public const string Counters = "counters";
}
