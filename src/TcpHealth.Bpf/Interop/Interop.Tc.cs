using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    /// <summary>enum bpf_tc_attach_point.</summary>
    internal const int BPF_TC_INGRESS = 1;
    internal const int BPF_TC_EGRESS = 2;

    /// <summary>struct bpf_tc_hook (libbpf 1.1, 24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfTcHook
    {
        public nuint Sz;
        public int IfIndex;
        public int AttachPoint;
        public uint Parent;
    }

    /// <summary>struct bpf_tc_opts (libbpf 1.1, 32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfTcOpts
    {
        public nuint Sz;
        public int ProgFd;
        public uint Flags;
        public uint ProgId;
        public uint Handle;
        public uint Priority;
    }

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_hook_create")]
    internal static unsafe partial int BpfTcHookCreate(BpfTcHook* hook);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_attach")]
    internal static unsafe partial int BpfTcAttach(BpfTcHook* hook, BpfTcOpts* opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_detach")]
    internal static unsafe partial int BpfTcDetach(BpfTcHook* hook, BpfTcOpts* opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_tc_query")]
    internal static unsafe partial int BpfTcQuery(BpfTcHook* hook, BpfTcOpts* opts);
}
