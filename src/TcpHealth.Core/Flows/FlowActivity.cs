using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// When each flow last moved. The datapath keeps no last-seen time (a clock read
/// on every packet is a helper call), so a flow's idle time is measured here, at
/// collection granularity: it is active whenever its packet counters changed
/// since the previous read.
/// </summary>
public sealed class FlowActivity
{
    private readonly Dictionary<FlowKey, Entry> _entries = [];
    private long _generation;

    public int Count => _entries.Count;

    /// <summary>Starts a read of the flow table: flows not observed until the next <see cref="EndRead"/> are forgotten.</summary>
    public void BeginRead() => _generation++;

    /// <summary>Records this read of a flow and returns how long it has been idle (zero for a flow seen for the first time or moving).</summary>
    public TimeSpan Observe(in FlowKey key, in Flow flow, ulong nowNs)
    {
        ulong packets = flow.Tx.Packets + flow.Rx.Packets;
        if (!_entries.TryGetValue(key, out var e) || e.Packets != packets)
            e = new Entry(packets, nowNs, 0);
        _entries[key] = e with { Generation = _generation };
        return TimeSpan.FromTicks((long)((nowNs - Math.Min(nowNs, e.LastChangeNs)) / 100));
    }

    /// <summary>Forgets a flow the caller removed from the kernel.</summary>
    public void Forget(in FlowKey key) => _entries.Remove(key);

    /// <summary>Ends a read: flows that were not observed are gone from the kernel.</summary>
    public void EndRead()
    {
        if (_entries.Count == 0)
            return;
        foreach (var (key, e) in _entries)
        {
            if (e.Generation != _generation)
                _entries.Remove(key);
        }
    }

    private readonly record struct Entry(ulong Packets, ulong LastChangeNs, long Generation);
}
