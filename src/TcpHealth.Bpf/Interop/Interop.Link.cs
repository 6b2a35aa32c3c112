using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    /// <summary>enum bpf_attach_type values for TCX (kernel 6.6); newer than libbpf 1.1's headers.</summary>
    internal const int BPF_TCX_INGRESS = 46;
    internal const int BPF_TCX_EGRESS = 47;

    /// <summary>BPF_F_BEFORE: with no relative program, attach at the head of the TCX chain.</summary>
    internal const uint BPF_F_BEFORE = 1u << 3;

    /// <summary>
    /// struct bpf_link_create_opts of libbpf 1.1 (64 bytes): only sz and flags
    /// are used; libbpf 1.1 passes flags through for attach types it does not
    /// know (TCX) and requires every later field to be zero.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    internal struct BpfLinkCreateOpts
    {
        [FieldOffset(0)]
        public nuint Sz;

        [FieldOffset(8)]
        public uint Flags;
    }

    /// <summary>Returns a link fd or a negative errno.</summary>
    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_link_create")]
    internal static unsafe partial int BpfLinkCreate(int progFd, int targetFd, int attachType, BpfLinkCreateOpts* opts);

    /// <summary>Puts another program on a link in one step; opts NULL (no old program check). 0 or a negative errno.</summary>
    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_link_update")]
    internal static unsafe partial int BpfLinkUpdate(int linkFd, int newProgFd, void* opts);
}
