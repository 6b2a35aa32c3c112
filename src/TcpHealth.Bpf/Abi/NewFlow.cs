using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>struct th_new_flow (56 bytes): a record of `new_flows`, a flow the datapath created in a slot.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NewFlow
{
    /// <summary>bpf_ktime_get_ns (CLOCK_MONOTONIC) when it was created.</summary>
    public ulong FirstSeenNs;
    public uint Slot;
    public FlowKey Key;
}
