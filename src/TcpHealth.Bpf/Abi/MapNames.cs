namespace TcpHealth.Bpf;

/// <summary>Map names in tcphealth.bpf.o (also the keys for <see cref="BpfObject.Load"/>'s maxEntries).</summary>
public static class MapNames
{
    /// <summary><see cref="FlowKey"/> → u32 slot of <see cref="Flows"/>.</summary>
    public const string FlowSlots = "flow_slots";

    /// <summary>Slot → <see cref="Flow"/>: an array that can be mapped into memory.</summary>
    public const string Flows = "flows";

    /// <summary>Queue of freed <see cref="Flows"/> slots (u32), sized like it.</summary>
    public const string FlowFreeSlots = "flow_free_slots";

    /// <summary>One u64: how many <see cref="Flows"/> slots the datapath ever handed out.</summary>
    public const string FlowNextSlot = "flow_next_slot";

    /// <summary>Ring buffer of <see cref="NewFlow"/> records.</summary>
    public const string NewFlows = "new_flows";

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
