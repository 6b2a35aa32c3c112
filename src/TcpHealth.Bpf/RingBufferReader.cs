using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>
/// Reads a BPF_MAP_TYPE_RINGBUF whose records are all one struct
/// (see <see cref="BpfMap.ReadRing{T}"/>): each <see cref="Drain"/> copies out
/// what the programs submitted since the last one, without waiting for more.
/// Not thread-safe.
/// </summary>
public sealed unsafe class RingBufferReader<T> : IDisposable, RingBufferCallback.ISink
    where T : unmanaged
{
    private readonly RingBufferHandle _handle;
    private readonly string _name;
    private GCHandle _self;
    private T[] _records = new T[64];
    private int _count;
    private string? _badRecord;

    internal RingBufferReader(BpfMap map)
    {
        _name = map.Name;
        _self = GCHandle.Alloc(this);
        var rb = Interop.RingBufferNew(map.Fd, &RingBufferCallback.OnRecord, (void*)GCHandle.ToIntPtr(_self), null);
        if (rb == IntPtr.Zero)
        {
            var e = BpfException.FromLastError($"ring_buffer__new({_name})");
            _self.Free();
            throw e;
        }

        _handle = new RingBufferHandle(rb);
    }

    /// <summary>Every record submitted since the last call, oldest first; valid until the next call.</summary>
    public ReadOnlySpan<T> Drain()
    {
        _count = 0;
        _badRecord = null;
        int result = Interop.RingBufferConsume(_handle);
        if (_badRecord is not null)
        {
            throw new InvalidDataException(_badRecord);
        }

        BpfException.ThrowIfNegative(result, "ring_buffer__consume", _name);
        return _records.AsSpan(0, _count);
    }

    int RingBufferCallback.ISink.Add(void* data, nuint size)
    {
        if (size != (nuint)sizeof(T))
        {
            _badRecord = $"ring buffer '{_name}' holds a {size}-byte record; {typeof(T).Name} is {sizeof(T)} bytes (a BPF object from another version?)";
            return -1;
        }

        if (_count == _records.Length)
        {
            Array.Resize(ref _records, _count * 2);
        }

        _records[_count++] = Unsafe.ReadUnaligned<T>(data);
        return 0;
    }

    public void Dispose()
    {
        _handle.Dispose();
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }
}

/// <summary>The native callback every <see cref="RingBufferReader{T}"/> shares (one cannot be generic).</summary>
internal static unsafe class RingBufferCallback
{
    internal interface ISink
    {
        int Add(void* data, nuint size);
    }

    [UnmanagedCallersOnly]
    internal static int OnRecord(void* ctx, void* data, nuint size) =>
        ((ISink)GCHandle.FromIntPtr((nint)ctx).Target!).Add(data, size);
}
