using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    internal const int BPF_STATS_RUN_TIME = 0;

    /// <summary>struct bpf_prog_info (232 bytes); only the fields we read are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 232)]
    internal unsafe struct BpfProgInfo
    {
        [FieldOffset(4)] public uint Id;
        [FieldOffset(64)] public fixed byte Name[16];
        [FieldOffset(192)] public ulong RunTimeNs;
        [FieldOffset(200)] public ulong RunCnt;
        [FieldOffset(216)] public uint VerifiedInsns;
    }

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_obj_get_info_by_fd")]
    internal static unsafe partial int BpfObjGetInfoByFd(int fd, void* info, uint* infoLen);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_prog_get_fd_by_id")]
    internal static partial int BpfProgGetFdById(uint id);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_enable_stats")]
    internal static partial int BpfEnableStats(int type);
}
