using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>An owned libbpf <c>struct ring_buffer*</c> (the consumer's mappings of a BPF ring buffer).</summary>
internal sealed class RingBufferHandle : SafeHandle
{
    internal RingBufferHandle(IntPtr rb)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(rb);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.RingBufferFree(handle);
        return true;
    }
}
