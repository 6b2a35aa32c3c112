using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>A libbpf, BPF syscall or libc call failed; <see cref="Errno"/> says why.</summary>
public class BpfException : Exception
{
    public BpfException(string call, int errno)
        : this(errno, FormatMessage(call, errno))
    {
    }

    /// <summary>For failures whose explanation is more than the call and errno.</summary>
    protected internal BpfException(int errno, string message)
        : base(message)
    {
        Errno = errno;
    }

    /// <summary>Positive errno (or libbpf's 4000+ codes).</summary>
    public int Errno { get; }

    /// <summary>"bpf_map_lookup_batch(flow_slots) failed: ENOENT (2)".</summary>
    public static string FormatMessage(string call, int errno) => $"{call} failed: {Bpf.Errno.Name(errno)} ({errno})";

    /// <summary>
    /// The one place a native result becomes an exception: libbpf returns -errno,
    /// so a negative <paramref name="result"/> throws. The subject (map or
    /// interface name) is formatted only on failure.
    /// </summary>
    internal static int ThrowIfNegative(int result, string function, string subject)
    {
        if (result < 0)
        {
            throw new BpfException($"{function}({subject})", -result);
        }

        return result;
    }

    /// <summary>For libc-style calls that return -1 and set errno.</summary>
    internal static BpfException FromLastError(string call) => new(call, Marshal.GetLastPInvokeError());
}
