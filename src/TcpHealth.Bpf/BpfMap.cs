using System.Runtime.CompilerServices;

namespace TcpHealth.Bpf;

/// <summary>
/// A map of a loaded <see cref="BpfObject"/>; usable only while the object is.
/// Typed accessors check that the C# types have the map's key and value sizes.
/// </summary>
public sealed unsafe class BpfMap
{
    // enum bpf_map_type values whose user-space value is one slot per possible CPU.
    private static readonly uint[] PerCpuTypes = [5 /* PERCPU_HASH */, 6 /* PERCPU_ARRAY */, 10 /* LRU_PERCPU_HASH */, 21 /* PERCPU_CGROUP_STORAGE */];
    private const uint ArrayType = 2;
    private const uint PerCpuArrayType = 6;
    private const uint QueueType = 22;
    private const uint RingBufType = 27;
    private const uint DefaultBatchEntries = 1024;

    private readonly BpfObject owner;
    private readonly int fd;
    private readonly uint type;

    internal BpfMap(BpfObject owner, string name, IntPtr map)
    {
        this.owner = owner;
        Name = name;
        fd = Interop.BpfMapFd(map);
        type = Interop.BpfMapType(map);
        KeySize = Interop.BpfMapKeySize(map);
        ValueSize = Interop.BpfMapValueSize(map);
        MaxEntries = Interop.BpfMapMaxEntries(map);
    }

    public string Name { get; }

    public int Fd
    {
        get
        {
            ObjectDisposedException.ThrowIf(owner.IsDisposed, owner);
            return fd;
        }
    }

    public uint KeySize { get; }

    /// <summary>Size of one value (for per-CPU maps: of one CPU's slot).</summary>
    public uint ValueSize { get; }

    public uint MaxEntries { get; }

    private bool IsPerCpu => Array.IndexOf(PerCpuTypes, type) >= 0;

    /// <summary>Every entry, read with bpf_map_lookup_batch; entries changing meanwhile may or may not be seen.</summary>
    public List<KeyValuePair<TKey, TValue>> ReadAll<TKey, TValue>()
        where TKey : unmanaged
        where TValue : unmanaged
        => ReadAll<TKey, TValue>(DefaultBatchEntries);

    internal List<KeyValuePair<TKey, TValue>> ReadAll<TKey, TValue>(uint batchEntries)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        TKey[] keys = [];
        TValue[] values = [];
        var count = ReadInto(ref keys, ref values, batchEntries);
        var result = new List<KeyValuePair<TKey, TValue>>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add(new KeyValuePair<TKey, TValue>(keys[i], values[i]));
        }

        return result;
    }

    // Every entry into the arrays (grown when too small); returns how many were read.
    private int ReadInto<TKey, TValue>(ref TKey[] keys, ref TValue[] values, uint batchEntries)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        var cursor = new BatchCursor(this, batchEntries);
        var read = 0;
        while (!cursor.Done)
        {
            read += LookupBatch(cursor, ref keys, ref values, read);
        }

        return read;
    }

    /// <summary>
    /// The next entries of a read that <paramref name="cursor"/> follows, into the start of
    /// the caller's arrays (grown only when one hash bucket holds more than a batch); 0 at
    /// the end. A caller that handles each batch before the next keeps one batch in
    /// memory, however large the map.
    /// </summary>
    public int ReadBatch<TKey, TValue>(BatchCursor cursor, ref TKey[] keys, ref TValue[] values)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        if (cursor.Map.Fd != Fd)
        {
            throw new ArgumentException($"the cursor reads map {cursor.Map.Name}, not {Name}", nameof(cursor));
        }

        while (!cursor.Done)
        {
            var count = LookupBatch(cursor, ref keys, ref values, 0);
            if (count > 0)
            {
                return count;
            }
        }

        return 0;
    }

    /// <summary>A new read of every entry, batch by batch (see <see cref="ReadBatch"/>).</summary>
    public BatchCursor BeginRead() => new(this, DefaultBatchEntries);

    // One bpf_map_lookup_batch call into keys[offset..] and values[offset..], grown to fit.
    private int LookupBatch<TKey, TValue>(BatchCursor cursor, ref TKey[] keys, ref TValue[] values, int offset)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        CheckShape<TKey, TValue>();
        var opts = new Interop.BpfMapBatchOpts { Sz = (nuint)sizeof(Interop.BpfMapBatchOpts) };
        while (true)
        {
            var batch = cursor.BatchEntries;
            if (keys.Length - offset < batch || values.Length - offset < batch)
            {
                var size = Math.Max(offset + (int)batch, keys.Length * 2);
                Array.Resize(ref keys, size);
                Array.Resize(ref values, size);
            }

            var count = batch;
            int errno;
            fixed (TKey* k = keys)
            fixed (TValue* v = values)
            fixed (byte* inCursor = cursor.In)
            fixed (byte* outCursor = cursor.Out)
            {
                var status = Interop.BpfMapLookupBatch(Fd, cursor.First ? null : inCursor, outCursor, k + offset, v + offset, &count, &opts);
                errno = status < 0 ? -status : 0;
            }

            if (errno == Errno.ENOSPC && count == 0)
            {
                // A hash bucket holds more entries than fit in one call: retry the same cursor with room for it.
                cursor.BatchEntries *= 2;
                continue;
            }

            if (errno != 0 && errno != Errno.ENOENT)
            {
                throw new BpfException($"bpf_map_lookup_batch({Name})", errno);
            }

            // ENOENT marks the end, possibly together with a last partial batch.
            cursor.Advance(done: errno == Errno.ENOENT);
            return (int)count;
        }
    }

    public bool TryLookup<TKey, TValue>(in TKey key, out TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        CheckShape<TKey, TValue>();
        TValue found;
        fixed (TKey* k = &key)
        {
            var result = Interop.BpfMapLookupElem(Fd, k, &found);
            if (result == -Errno.ENOENT)
            {
                value = default;
                return false;
            }

            BpfException.ThrowIfNegative(result, "bpf_map_lookup_elem", Name);
        }

        value = found;
        return true;
    }

    public void Update<TKey, TValue>(in TKey key, in TValue value, MapUpdateFlags flags = MapUpdateFlags.Any)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        CheckShape<TKey, TValue>();
        fixed (TKey* k = &key)
        fixed (TValue* v = &value)
        {
            BpfException.ThrowIfNegative(Interop.BpfMapUpdateElem(Fd, k, v, (ulong)flags), "bpf_map_update_elem", Name);
        }
    }

    /// <summary>
    /// Deletes one entry and returns its value as it was when deleted, so nothing
    /// written between an earlier read and the delete is lost; false if it was not
    /// there. Kernels before 5.14 cannot do this for hashes: there it is a lookup
    /// and then a delete.
    /// </summary>
    public bool TryLookupAndDelete<TKey, TValue>(in TKey key, out TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        CheckShape<TKey, TValue>();
        TValue found;
        int result;
        fixed (TKey* k = &key)
        {
            result = Interop.BpfMapLookupAndDeleteElem(Fd, k, &found);
        }

        if (result is -Errno.EINVAL or -Errno.EOPNOTSUPP or -Errno.ENOTSUPP)
        {
            var present = TryLookup(key, out value);
            return Delete(key) && present;
        }

        if (result == -Errno.ENOENT)
        {
            value = default;
            return false;
        }

        BpfException.ThrowIfNegative(result, "bpf_map_lookup_and_delete_elem", Name);
        value = found;
        return true;
    }

    /// <summary>Adds a value to a BPF_MAP_TYPE_QUEUE (its keys are 0 bytes); throws E2BIG when it is full.</summary>
    public void Push<TValue>(in TValue value)
        where TValue : unmanaged
    {
        if (type != QueueType)
        {
            throw new InvalidOperationException($"map '{Name}' is not a queue");
        }

        CheckValue<TValue>();
        fixed (TValue* v = &value)
        {
            BpfException.ThrowIfNegative(Interop.BpfMapUpdateElem(Fd, null, v, (ulong)MapUpdateFlags.Any), "bpf_map_update_elem", Name);
        }
    }

    /// <summary>
    /// Maps a BPF_F_MMAPABLE array into this process's memory: its values read and
    /// written in place, with no syscall. Windows mapped so far hold the map alive by
    /// themselves; new ones need the object loaded. Released by disposing it.
    /// </summary>
    public MappedArray<TValue> MapArray<TValue>()
        where TValue : unmanaged
    {
        if (type != ArrayType)
        {
            throw new InvalidOperationException($"map '{Name}' is not an array");
        }

        CheckShape<uint, TValue>();
        return MappedArray<TValue>.Map(this);
    }

    /// <summary>
    /// Reads a BPF_MAP_TYPE_RINGBUF whose records are <typeparamref name="TRecord"/>s.
    /// Released by disposing it.
    /// </summary>
    public RingBufferReader<TRecord> ReadRing<TRecord>()
        where TRecord : unmanaged
    {
        if (type != RingBufType)
        {
            throw new InvalidOperationException($"map '{Name}' is not a ring buffer");
        }

        return new RingBufferReader<TRecord>(this);
    }

    /// <summary>Deletes one entry; returns false if it was not there.</summary>
    public bool Delete<TKey>(in TKey key)
        where TKey : unmanaged
    {
        CheckKey<TKey>();
        fixed (TKey* k = &key)
        {
            var result = Interop.BpfMapDeleteElem(Fd, k);
            if (result == -Errno.ENOENT)
            {
                return false;
            }

            BpfException.ThrowIfNegative(result, "bpf_map_delete_elem", Name);
            return true;
        }
    }

    /// <summary>
    /// Deletes the given keys, skipping those already gone; returns how many were
    /// deleted. Uses bpf_map_delete_batch, which stops at the first missing key, and
    /// falls back to one call per key where the kernel has no batch delete.
    /// </summary>
    public int DeleteBatch<TKey>(ReadOnlySpan<TKey> keys)
        where TKey : unmanaged
    {
        CheckKey<TKey>();
        var deleted = 0;
        var opts = new Interop.BpfMapBatchOpts { Sz = (nuint)sizeof(Interop.BpfMapBatchOpts) };
        while (!keys.IsEmpty)
        {
            var count = (uint)keys.Length;
            int result;
            fixed (TKey* k = keys)
            {
                result = Interop.BpfMapDeleteBatch(Fd, k, &count, &opts);
            }

            deleted += (int)count;
            if (result == 0)
            {
                break;
            }

            if (result == -Errno.ENOENT)
            {
                keys = keys[((int)count + 1)..];
            }
            else if (result is -Errno.EINVAL or -Errno.EOPNOTSUPP or -Errno.ENOTSUPP && count == 0)
            {
                foreach (var key in keys)
                {
                    deleted += Delete(key) ? 1 : 0;
                }

                break;
            }
            else
            {
                throw new BpfException($"bpf_map_delete_batch({Name})", -result);
            }
        }

        return deleted;
    }

    /// <summary>
    /// For a BPF_MAP_TYPE_PERCPU_ARRAY of u64: element i summed over all possible
    /// CPUs, for i in [0, count).
    /// </summary>
    public ulong[] ReadPerCpuSums(uint count)
    {
        if (type != PerCpuArrayType || ValueSize != sizeof(ulong) || KeySize != sizeof(uint))
        {
            throw new InvalidOperationException($"map '{Name}' is not a per-CPU array of u64");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxEntries);
        var cpus = BpfException.ThrowIfNegative(Interop.LibbpfNumPossibleCpus(), "libbpf_num_possible_cpus", Name);
        var slots = new ulong[cpus];
        var sums = new ulong[count];
        fixed (ulong* values = slots)
        {
            for (var i = 0u; i < count; i++)
            {
                var key = i;
                BpfException.ThrowIfNegative(Interop.BpfMapLookupElem(Fd, &key, values), "bpf_map_lookup_elem", Name);
                foreach (var slot in slots)
                {
                    sums[i] += slot;
                }
            }
        }

        return sums;
    }

    private void CheckKey<TKey>()
        where TKey : unmanaged
    {
        if (Unsafe.SizeOf<TKey>() != KeySize)
        {
            throw new ArgumentException($"map '{Name}' has {KeySize}-byte keys; {typeof(TKey).Name} is {Unsafe.SizeOf<TKey>()} bytes");
        }
    }

    private void CheckShape<TKey, TValue>()
        where TKey : unmanaged
        where TValue : unmanaged
    {
        CheckKey<TKey>();
        CheckValue<TValue>();
    }

    private void CheckValue<TValue>()
        where TValue : unmanaged
    {
        if (IsPerCpu)
        {
            throw new InvalidOperationException($"map '{Name}' is per-CPU; use {nameof(ReadPerCpuSums)}");
        }

        if (Unsafe.SizeOf<TValue>() != ValueSize)
        {
            throw new ArgumentException($"map '{Name}' has {ValueSize}-byte values; {typeof(TValue).Name} is {Unsafe.SizeOf<TValue>()} bytes");
        }
    }
}
