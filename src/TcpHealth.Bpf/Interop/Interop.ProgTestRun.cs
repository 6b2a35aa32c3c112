using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    /// <summary>struct bpf_test_run_opts (libbpf 1.1, 80 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct BpfTestRunOpts
    {
        public nuint Sz;
        public void* DataIn;
        public void* DataOut;
        public uint DataSizeIn;
        public uint DataSizeOut;
        public void* CtxIn;
        public void* CtxOut;
        public uint CtxSizeIn;
        public uint CtxSizeOut;
        public uint Retval;
        public int Repeat;
        public uint Duration;
        public uint Flags;
        public uint Cpu;
        public uint BatchSize;
    }

    /// <summary>
    /// struct __sk_buff as test_run's ctx_in (192 bytes). The kernel rejects the
    /// context unless every field it does not accept as input is zero; we set only
    /// ifindex (must name a device in the caller's namespace) and gso_segs.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    internal struct SkBuff
    {
        [FieldOffset(40)] public uint IfIndex;
        [FieldOffset(164)] public uint GsoSegs;
    }

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_prog_test_run_opts")]
    internal static unsafe partial int BpfProgTestRunOpts(int progFd, BpfTestRunOpts* opts);
}
