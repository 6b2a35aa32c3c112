using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>A memory mapping we own (a mapped BPF array), unmapped when released.</summary>
internal sealed class MappingHandle : SafeHandle
{
    private readonly nuint length;

    internal MappingHandle(nint address, nuint length)
        : base(invalidHandleValue: Interop.MAP_FAILED, ownsHandle: true)
    {
        this.length = length;
        SetHandle(address);
    }

    public override bool IsInvalid => handle == Interop.MAP_FAILED || handle == 0;

    protected override bool ReleaseHandle() => Interop.Munmap(handle, length) == 0;
}
