using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>struct th_new_flow (48 bytes): a record of `new_flows`, a flow the datapath created in a slot.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NewFlow
{
    public uint Slot;
    public FlowKey Key;
}
