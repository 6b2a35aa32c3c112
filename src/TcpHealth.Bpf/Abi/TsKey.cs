using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>struct th_ts_key (8 bytes): key of `pending_ts` (value: u64 send time in ns).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct TsKey
{
    /// <summary>The flow's slot in `flows`.</summary>
    public uint Slot;
    public uint TsVal;
}
