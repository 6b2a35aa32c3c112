using System.Numerics;

namespace TcpHealth.Bpf;

/// <summary>
/// A BPF_F_MMAPABLE array mapped into this process (see <see cref="BpfMap.MapArray{T}"/>):
/// value i is read and written in place. Programs keep writing it meanwhile, so
/// copy a value out before reading it field by field.
/// </summary>
/// <remarks>
/// The kernel inserts every page of a mapping at mmap time, and they count in this
/// process's RSS (as file pages) although they are the map's memory, counted once
/// already. So the array is mapped in windows of whole pages and whole values, each
/// when a value in it is first used: an array filled from the bottom costs RSS for
/// the part in use only. Not thread-safe: read it from one thread at a time.
/// </remarks>
public sealed unsafe class MappedArray<T> : IDisposable
    where T : unmanaged
{
    private readonly BpfMap map;
    private readonly int windowEntries;
    private readonly MappingHandle?[] windows;
    private bool disposed;

    private MappedArray(BpfMap map, int length, int windowEntries)
    {
        this.map = map;
        this.windowEntries = windowEntries;
        Name = map.Name;
        Length = length;
        windows = new MappingHandle?[(length + windowEntries - 1) / windowEntries];
    }

    /// <summary>The map's name.</summary>
    public string Name { get; }

    /// <summary>Number of values (the map's max_entries).</summary>
    public int Length { get; }

    /// <summary>Values per window: the fewest whole values that fill whole pages.</summary>
    public int WindowEntries => windowEntries;

    /// <summary>Windows mapped so far.</summary>
    public int MappedWindows => windows.Count(w => w is not null);

    /// <summary>Value <paramref name="index"/>, in the map's own memory.</summary>
    public ref T this[int index]
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if ((uint)index >= (uint)Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"map '{Name}' has {Length} entries");
            }

            var (window, offset) = Math.DivRem(index, windowEntries);
            var mapping = windows[window] ?? MapWindow(window);
            return ref ((T*)mapping.DangerousGetHandle())[offset];
        }
    }

    internal static MappedArray<T> Map(BpfMap map)
    {
        // The kernel lays values out every round_up(value_size, 8) bytes: T must be that stride.
        if (sizeof(T) % 8 != 0)
        {
            throw new ArgumentException($"{typeof(T).Name} is {sizeof(T)} bytes; a mapped array's values must be a multiple of 8");
        }

        var page = Environment.SystemPageSize;
        var array = new MappedArray<T>(map, (int)map.MaxEntries, page / (int)BigInteger.GreatestCommonDivisor(sizeof(T), page));

        // Map the first window now: a map that cannot be mapped fails here, not at the first read.
        array.MapWindow(0);
        return array;
    }

    private MappingHandle MapWindow(int window)
    {
        var first = (long)window * windowEntries;
        var count = Math.Min(windowEntries, Length - first);
        var page = Environment.SystemPageSize;
        var bytes = (nuint)((count * sizeof(T) + page - 1) / page * page);
        // map.Fd throws once the object is disposed: a later window is never mapped from a closed fd.
        var address = Interop.Mmap(0, bytes, Interop.PROT_READ | Interop.PROT_WRITE, Interop.MAP_SHARED, map.Fd, first * sizeof(T));
        if (address == Interop.MAP_FAILED)
        {
            throw BpfException.FromLastError($"mmap({Name})");
        }

        return windows[window] = new MappingHandle(address, bytes);
    }

    public void Dispose()
    {
        disposed = true;
        foreach (var w in windows)
        {
            w?.Dispose();
        }
    }
}
