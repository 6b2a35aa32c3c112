using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    /// <summary>enum bpf_attach_type values for TCX (kernel 6.6); newer than libbpf 1.1's headers.</summary>
    internal const int BPF_TCX_INGRESS = 46;
    internal const int BPF_TCX_EGRESS = 47;

    /// <summary>Returns a link fd or a negative errno. opts stays NULL: libbpf 1.1 passes TCX through untouched.</summary>
    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_link_create")]
    internal static partial int BpfLinkCreate(int progFd, int targetFd, int attachType, IntPtr opts);
}
