namespace TcpHealth.Bpf;

internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Libbpf = "libbpf.so.1";

        // The versioned soname: plain "libc.so" is a linker script on Debian, not a library.
        internal const string Libc = "libc.so.6";
    }
}
