using TcpHealth.Bpf;

namespace TcpHealth.Datapath;

/// <summary>
/// The slots of the RTT histograms (see th_rtt_hist in bpf/tcphealth.h): read in
/// place from the mapped rtt_hists, and handed back to the datapath zeroed at the
/// collection after the one that removed their flow, when no program that found
/// the flow before its removal can still be writing to them.
/// </summary>
internal sealed class RttSlots : IDisposable
{
    private readonly MappedArray<RttHist> _hists;
    private readonly BpfMap _free;
    private readonly List<int> _released = [];

    public RttSlots(BpfObject obj)
    {
        _free = obj.Map(MapNames.RttFreeSlots);
        _hists = obj.Map(MapNames.RttHists).MapArray<RttHist>();
    }

    /// <summary>Copies the histogram a flow's <see cref="Flow.RttSlot"/> names; false when it names none.</summary>
    public bool TryRead(ulong rttSlot, ref RttHist destination)
    {
        if (!TryIndex(rttSlot, out int index))
            return false;
        destination = _hists[index];
        return true;
    }

    /// <summary>The slot of a flow just removed from the flow table: freed by the next <see cref="BeginCollection"/>.</summary>
    public void Release(ulong rttSlot)
    {
        if (TryIndex(rttSlot, out int index))
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
            _hists[index] = default;
            _free.Push((uint)index);
            _released.RemoveAt(i);
        }
    }

    private bool TryIndex(ulong rttSlot, out int index)
    {
        index = (int)Math.Min(rttSlot - 1, int.MaxValue);
        return rttSlot != 0 && rttSlot <= (ulong)_hists.Length;
    }

    public void Dispose() => _hists.Dispose();
}
