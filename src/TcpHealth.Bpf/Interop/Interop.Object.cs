using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    // libbpf 1.x returns NULL and sets errno (no ERR_PTR) on failure.
    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__open_file", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial BpfObjectHandle BpfObjectOpenFile(string path, IntPtr opts);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__load")]
    internal static partial int BpfObjectLoad(BpfObjectHandle obj);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__close")]
    internal static partial void BpfObjectClose(IntPtr obj);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr BpfObjectFindProgramByName(BpfObjectHandle obj, string name);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr BpfObjectFindMapByName(BpfObjectHandle obj, string name);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "bpf_program__fd")]
    internal static partial int BpfProgramFd(IntPtr prog);
}
