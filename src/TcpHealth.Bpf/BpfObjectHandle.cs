using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>An owned <c>struct bpf_object*</c>; closing it unloads programs and maps we still hold only through it.</summary>
internal sealed class BpfObjectHandle : SafeHandle
{
    public BpfObjectHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.BpfObjectClose(handle);
        return true;
    }
}
