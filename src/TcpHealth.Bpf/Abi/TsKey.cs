using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>struct th_ts_key (48 bytes): key of `pending_ts` (value: u64 send time in ns).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TsKey
{
    public FlowKey Flow;
    public uint TsVal;
}
