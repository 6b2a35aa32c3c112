using System.Runtime.CompilerServices;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// Equality and hashing of <see cref="FlowKey"/>s as five 64-bit words and
/// one 32-bit word: several times faster than hashing the 44 bytes one by one
/// (FlowKey's own GetHashCode), which matters at one lookup per flow per
/// collection. HashCode's per-process random seed keeps crafted collisions out.
/// </summary>
public sealed class FlowKeyComparer : IEqualityComparer<FlowKey>
{
    public static FlowKeyComparer Instance { get; } = new();

    private FlowKeyComparer()
    {
    }

    public bool Equals(FlowKey x, FlowKey y) => x.Equals(y);

    // The six words cover the key's 44 bytes (a test checks the size).
    public int GetHashCode(FlowKey key)
    {
        ref byte b = ref Unsafe.As<FlowKey, byte>(ref key);
        return HashCode.Combine(
            Unsafe.ReadUnaligned<ulong>(ref b),
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 8)),
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 16)),
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 24)),
            Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 32)),
            Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, 40)));
    }
}
