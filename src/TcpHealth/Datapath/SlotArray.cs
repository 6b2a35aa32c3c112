using TcpHealth.Bpf;

namespace TcpHealth.Datapath;

/// <summary>
/// A mapped array of slots the datapath takes from the bottom or from a free queue
/// (`flows`, `rtt_hists`; see bpf/tcphealth.h): read in place, and a released slot
/// handed back zeroed at the collection after the one that released it, when no
/// program that found it before its release can still be writing to it.
/// </summary>
internal sealed class SlotArray<T> : IDisposable
    where T : unmanaged
{
    private readonly MappedArray<T> _values;
    private readonly BpfMap _free;
    private readonly List<int> _released = [];
    private readonly HashSet<int> _releasedSet = [];

    public SlotArray(BpfObject obj, string arrayName, string freeQueueName)
    {
        _free = obj.Map(freeQueueName);
        _values = obj.Map(arrayName).MapArray<T>();
    }

    public int Length => _values.Length;

    /// <summary>Whether a slot was released during this collection (after <see cref="BeginCollection"/>).</summary>
    public bool WasReleased(int index) => _releasedSet.Contains(index);

    /// <summary>Slot <paramref name="index"/> in place: programs keep writing it, so copy it for a consistent read.</summary>
    public ref readonly T this[int index] => ref _values[index];

    /// <summary>Slot <paramref name="index"/> in place, for atomic operations on words the programs update atomically.</summary>
    public ref T Shared(int index) => ref _values[index];

    /// <summary>A slot whose owner was just removed: freed by the next <see cref="BeginCollection"/>.</summary>
    public void Release(int index)
    {
        if (_releasedSet.Add(index))
            _released.Add(index);
    }

    /// <summary>Frees the slots released during the previous collection.</summary>
    public void BeginCollection()
    {
        // From the end, each forgotten once pushed: a push that fails leaves the rest
        // for the next collection, and none is pushed twice.
        for (int i = _released.Count - 1; i >= 0; i--)
        {
            int index = _released[i];
            _values[index] = default;
            _free.Push((uint)index);
            _released.RemoveAt(i);
            _releasedSet.Remove(index);
        }
    }

    public void Dispose() => _values.Dispose();
}
