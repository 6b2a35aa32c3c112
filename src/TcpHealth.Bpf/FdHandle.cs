using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>
/// A file descriptor we own (a TCX link, the bpf_enable_stats fd, a namespace fd).
/// Native calls return plain ints and are wrapped here: a SafeHandle return value
/// would be read as a 64-bit register and turn -errno into a large positive number.
/// </summary>
internal sealed class FdHandle : SafeHandle
{
    internal FdHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => (int)handle < 0;

    /// <summary>The raw descriptor; valid only while this handle is open.</summary>
    public int Fd
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return (int)handle;
        }
    }

    protected override bool ReleaseHandle() => Interop.Close((int)handle) == 0;
}
