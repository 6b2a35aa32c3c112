using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    /// <summary>struct bpf_map_batch_opts (libbpf 1.1, 24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct BpfMapBatchOpts
    {
        public nuint Sz;
        public ulong ElemFlags;
        public ulong Flags;
    }

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__fd")]
    internal static partial int BpfMapFd(IntPtr map);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__type")]
    internal static partial uint BpfMapType(IntPtr map);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__key_size")]
    internal static partial uint BpfMapKeySize(IntPtr map);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__value_size")]
    internal static partial uint BpfMapValueSize(IntPtr map);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__max_entries")]
    internal static partial uint BpfMapMaxEntries(IntPtr map);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map__set_max_entries")]
    internal static partial int BpfMapSetMaxEntries(IntPtr map, uint maxEntries);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_lookup_elem")]
    internal static unsafe partial int BpfMapLookupElem(int fd, void* key, void* value);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_update_elem")]
    internal static unsafe partial int BpfMapUpdateElem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_lookup_and_delete_elem")]
    internal static unsafe partial int BpfMapLookupAndDeleteElem(int fd, void* key, void* value);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_delete_elem")]
    internal static unsafe partial int BpfMapDeleteElem(int fd, void* key);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_lookup_batch")]
    internal static unsafe partial int BpfMapLookupBatch(int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_map_delete_batch")]
    internal static unsafe partial int BpfMapDeleteBatch(int fd, void* keys, uint* count, BpfMapBatchOpts* opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "libbpf_num_possible_cpus")]
    internal static partial int LibbpfNumPossibleCpus();
}
