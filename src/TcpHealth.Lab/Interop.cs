using System.Runtime.InteropServices;

namespace TcpHealth.Lab;

/// <summary>
/// The few libc calls the lab needs. All P/Invoke lives here. "libc.so.6" is named
/// explicitly because Debian's "libc.so" is a linker script, not a loadable library.
/// </summary>
internal static unsafe partial class Interop
{
    private const string Libc = "libc.so.6";

    internal const int O_RDONLY = 0;
    internal const int O_RDWR = 2;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    internal const int EINTR = 4;
    internal const int EAGAIN = 11;

    internal const short POLLIN = 0x1;
    internal const short POLLERR = 0x8;
    internal const short POLLHUP = 0x10;
    internal const short POLLNVAL = 0x20;

    /// <summary>setns(2) namespace type for network namespaces.</summary>
    internal const int CLONE_NEWNET = 0x40000000;

    /// <summary>_IOW('T', 202, int): attach the fd to a TUN/TAP device by name.</summary>
    internal const uint TUNSETIFF = 0x400454CA;
    internal const short IFF_TUN = 0x0001;
    internal const short IFF_TAP = 0x0002;
    internal const short IFF_NO_PI = 0x1000;

    /// <summary>struct ifreq on x86-64/arm64: 16-byte name, then a 24-byte union (flags at 16).</summary>
    internal const int IfReqSize = 40;
    internal const int IfNameSize = 16;

    /// <summary>prctl option: per-thread timer slack in ns (default 50 µs would blur the delay).</summary>
    internal const int PR_SET_TIMERSLACK = 29;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    // ioctl and prctl are variadic in glibc; on x86-64/arm64 integer/pointer varargs are
    // passed exactly like fixed arguments, so a fixed signature is safe.
    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int Ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Libc, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport(Libc, EntryPoint = "ppoll", SetLastError = true)]
    internal static partial int PPoll(PollFd* fds, nuint nfds, Timespec* timeout, void* sigmask);

    [LibraryImport(Libc, EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(int fd, int nstype);
}
