namespace TcpHealth.Bpf;

/// <summary>
/// A BPF_F_MMAPABLE array mapped into this process (see <see cref="BpfMap.MapArray{T}"/>):
/// value i is read and written in place. Programs keep writing it meanwhile, so
/// copy a value out before reading it field by field.
/// </summary>
public sealed unsafe class MappedArray<T> : IDisposable
    where T : unmanaged
{
    private readonly MappingHandle mapping;
    private readonly T* values;

    private MappedArray(MappingHandle mapping, string name, int length)
    {
        this.mapping = mapping;
        values = (T*)mapping.DangerousGetHandle();
        Name = name;
        Length = length;
    }

    /// <summary>The map's name.</summary>
    public string Name { get; }

    /// <summary>Number of values (the map's max_entries).</summary>
    public int Length { get; }

    /// <summary>Value <paramref name="index"/>, in the map's own memory.</summary>
    public ref T this[int index]
    {
        get
        {
            ObjectDisposedException.ThrowIf(mapping.IsClosed, this);
            if ((uint)index >= (uint)Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"map '{Name}' has {Length} entries");
            }

            return ref values[index];
        }
    }

    internal static MappedArray<T> Map(int fd, string name, uint entries)
    {
        // The kernel lays values out every round_up(value_size, 8) bytes: T must be that stride.
        if (sizeof(T) % 8 != 0)
        {
            throw new ArgumentException($"{typeof(T).Name} is {sizeof(T)} bytes; a mapped array's values must be a multiple of 8");
        }

        var page = (nuint)Environment.SystemPageSize;
        var bytes = ((nuint)entries * (nuint)sizeof(T) + page - 1) / page * page;
        var address = Interop.Mmap(0, bytes, Interop.PROT_READ | Interop.PROT_WRITE, Interop.MAP_SHARED, fd, 0);
        if (address == Interop.MAP_FAILED)
        {
            throw BpfException.FromLastError($"mmap({name})");
        }

        return new MappedArray<T>(new MappingHandle(address, bytes), name, (int)entries);
    }

    public void Dispose() => mapping.Dispose();
}
