using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    internal const int O_RDONLY = 0;
    internal const int O_CLOEXEC = 0x80000;
    internal const int CLONE_NEWNET = 0x40000000;
    internal const int AF_INET = 2;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const uint SIOCGIFHWADDR = 0x8927;

    /// <summary>struct ifreq (40 bytes) as SIOCGIFHWADDR fills it: the name, then ifr_hwaddr.sa_family.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    internal unsafe struct IfReq
    {
        [FieldOffset(0)] public fixed byte Name[16];
        [FieldOffset(16)] public ushort HwAddrFamily;
    }

    [LibraryImport(Libraries.Libc, EntryPoint = "if_nametoindex", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial uint IfNameToIndex(string name);

    [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libraries.Libc, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(FdHandle fd, int nstype);

    [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(FdHandle fd, nuint request, void* arg);

    internal const int PROT_READ = 1;
    internal const int PROT_WRITE = 2;
    internal const int MAP_SHARED = 1;
    internal static readonly nint MAP_FAILED = -1;

    [LibraryImport(Libraries.Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Libraries.Libc, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(nint addr, nuint length);

    internal const nint SIG_DFL = 0;
    internal const nint SIG_ERR = -1;

    [LibraryImport(Libraries.Libc, EntryPoint = "signal", SetLastError = true)]
    internal static partial nint Signal(int signum, nint handler);

    /// <summary>x86-64: a va_list parameter is a pointer to one 24-byte __va_list_tag.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "vsnprintf")]
    internal static unsafe partial int Vsnprintf(byte* buffer, nuint size, byte* format, void* args);
}
