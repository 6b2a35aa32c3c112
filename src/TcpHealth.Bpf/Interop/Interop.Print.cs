using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    /// <summary>enum libbpf_print_level.</summary>
    internal const int LIBBPF_WARN = 0;
    internal const int LIBBPF_INFO = 1;
    internal const int LIBBPF_DEBUG = 2;

    /// <summary>Installs a process-wide callback; returns the previous one.</summary>
    [LibraryImport(Libraries.Libbpf, EntryPoint = "libbpf_set_print")]
    internal static unsafe partial IntPtr LibbpfSetPrint(delegate* unmanaged[Cdecl]<int, byte*, void*, int> fn);
}
